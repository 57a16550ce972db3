// Browser tests of the mode-collapse lab (/collapse) in Debian's chromium: both A/B runs train
// on the CPU and on WebGPU (SwiftShader), the panels, strips and charts draw, presets load,
// B can be switched off, and a bad link gets a message instead of a broken page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, inkedShare, openPage, screenshot, waitStatus } from './harness.mjs';

const ctx = sharedBrowser();

/** The toy lab's drawing encoding (src/core/data.rs): 12-bit coordinates over ±1.2 as two
 *  base64url characters each, strokes joined by '.'. */
function encodeDrawing(strokes) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const q = (v) => Math.round((Math.max(-1, Math.min(1, v / 1.2)) + 1) * 0.5 * 4095);
  return strokes.map((s) => s.flatMap((p) => p.map(q)).map((v) => B64[v >> 6] + B64[v & 63]).join('')).join('.');
}

const report = (page) => page.evaluate(() => window.ganPlayground.report());
const config = (page) => page.evaluate(() => window.ganPlayground.config());
// small networks: these tests check the page, not the remedies (tests/collapse.rs does)
const SMALL = 'gWidth=32&dWidth=32&batch=64';

async function open(path, backend = 'cpu') {
  const page = await openPage(ctx.browser, ctx.server.url + path);
  await waitStatus(page, `(s) => s.backend === '${backend}' && (s.losses.d !== null || s.error !== null)`, 120_000);
  return page;
}

for (const backend of ['cpu', 'webgpu']) {
  test(`both runs train on ${backend}; panels, strips and charts draw`, async () => {
    const page = await open(`/collapse?backend=${backend}&${SMALL}&bPack=2&dist=grid25`, backend);
    await page.evaluate(() => window.ganPlayground.step(30));
    await page.waitForFunction(() => window.ganPlayground.report().traceLength >= 3, null, { timeout: 60_000 });
    await page.waitForTimeout(400);
    const r = await report(page);
    for (const run of ['a', 'b']) {
      const m = r[run];
      assert.equal(m.modes, 25, `${run}: grid25 has 25 modes`);
      assert.equal(m.nearest.reduce((x, y) => x + y, 0), 2500, `${run}: 2,500 samples measured`);
      assert.ok(m.captured >= 0 && m.captured <= 25 && m.hqPercent >= 0 && m.hqPercent <= 100);
      assert.ok(m.reverseKl >= -1e-9 && m.reverseKl <= Math.log(25) + 1e-9);
    }
    // the runs differ (B packs), so their samples differ
    assert.notDeepEqual(r.a.nearest, r.b.nearest);
    const s = await waitStatus(page, (s) => s.step >= 30);
    assert.equal(s.error, null);
    // CPU runs train in a Web Worker (web/worker.rs); WebGPU steps only enqueue GPU work
    assert.equal(s.metrics.inWorker, backend === 'cpu' ? 1 : 0, JSON.stringify(s.metrics));
    if (backend === 'cpu') assert.match(s.adapter, /Web Worker/);
    for (const id of ['collapse-points-a', 'collapse-points-b', 'collapse-heat-a', 'collapse-heat-b']) {
      assert.ok((await inkedShare(page, id)) > 0.002, `${id} drawn`);
    }
    // the charts are redrawn in turn: wait for a full round
    await page.evaluate(() => window.ganPlayground.step(6));
    await page.waitForTimeout(1500);
    for (const id of ['collapse-strip-a', 'collapse-strip-b', 'collapse-bars', 'collapse-modes', 'collapse-hq', 'collapse-kl']) {
      assert.ok((await inkedShare(page, id)) > 0.01, `${id} drawn`);
    }
    assert.match(await page.locator('#readout-a').textContent(), /of 25 modes · [\d.]+ % high quality · reverse KL/);
    await screenshot(page, `collapse-${backend}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('presets set run B against the vanilla A; B can be switched off', async () => {
  const page = await open(`/collapse?backend=cpu&${SMALL}&dist=ring8-wide`);
  const expect = { unrolled: ['bUnroll', (v) => v > 0], packing: ['bPack', (v) => v > 1], 'wgan-gp': ['bLoss', (v) => v === 'wgan-gp'], 'minibatch-std': ['bMinibatchStd', (v) => v === 'on'], averaging: ['bEma', (v) => v > 0] };
  for (const [key, [setting, ok]] of Object.entries(expect)) {
    await page.selectOption('#preset', key);
    await page.locator('#preset-lesson').waitFor();
    await waitStatus(page, (s) => s.losses.d !== null && s.error === null);
    const c = await config(page);
    assert.ok(ok(c[setting]), `${key}: ${setting} = ${c[setting]}`);
    assert.equal(c.compare, 'on');
    assert.equal(c.dist, 'ring8-wide', 'a preset keeps the data set');
    // A is the vanilla baseline in every preset
    for (const k of ['unroll', 'pack']) assert.equal(c[k], k === 'pack' ? 1 : 0);
    assert.equal(c.minibatchStd, 'off');
    assert.equal(c.ema, 0);
    assert.equal(c.loss, 'ns');
    assert.ok(page.url().includes(`preset`) === false && page.url().includes(setting), 'the link carries the setting');
    assert.match(await page.locator('.run[data-run="B"] .remedies').textContent(), /.+/);
  }
  await page.selectOption('#preset', 'vanilla');
  await page.waitForFunction(() => window.ganPlayground.config().compare === 'off');
  await page.evaluate(() => window.ganPlayground.step(3));
  await page.waitForTimeout(500);
  const r = await report(page);
  assert.equal(r.b, null);
  assert.ok(r.a !== null && r.a.modes === 8);
  assert.match(await page.locator('#readout-b').textContent(), /Run B is off/);
  assert.equal(await inkedShare(page, 'collapse-points-b'), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a drawn distribution counts its strokes as modes; a missing drawing gets a message', async () => {
  let page = await open(`/collapse?backend=cpu&${SMALL}&dist=drawn`);
  await page.getByRole('alert').getByText(/drawing is empty/).waitFor();
  assert.equal((await report(page)).a, null);
  await page.close();
  // two strokes in the toy lab's link format: a horizontal bar and a dot
  const DRAWING = encodeDrawing([[[-0.6, 0.5], [0.6, 0.5]], [[0, -0.6]]]);
  // the toy lab links its drawing here
  page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu&dist=drawn&drawing=${DRAWING}`);
  const link = page.locator('#to-collapse');
  await link.waitFor();
  assert.ok((await link.getAttribute('href')).endsWith(`/collapse?dist=drawn&drawing=${DRAWING}`));
  await page.close();
  page = await open(`/collapse?backend=cpu&${SMALL}&dist=drawn&drawing=${encodeURIComponent(DRAWING)}`);
  await page.evaluate(() => window.ganPlayground.step(2));
  await page.waitForTimeout(300);
  const r = await report(page);
  assert.equal(r.a.modes, 2);
  assert.deepEqual(page.errors, []);
  await page.close();
});
