// Browser tests of the toy 2-D lab (/toy) in Debian's chromium, on the CPU backend: views,
// drawing your own data, presets, single and slow-motion steps, formulas, live settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, inkedShare, openPage, screenshot, status, waitStatus } from './harness.mjs';

const ctx = sharedBrowser();

const report = (page) => page.evaluate(() => window.ganPlayground.report());
const config = (page) => page.evaluate(() => window.ganPlayground.config());

async function open(path, opts) {
  const page = await openPage(ctx.browser, ctx.server.url + path, opts);
  await waitStatus(page, (s) => s.backend === 'cpu' && (s.losses.d !== null || s.error !== null));
  return page;
}

/** Waits for a fresh full frame (the grid views and the analysis refresh on those). */
async function settle(page) {
  await page.waitForFunction(() => window.ganPlayground.report().jsd !== null, null, { timeout: 60_000 });
  await page.waitForTimeout(300);
}

test('every view toggles and draws in its own layer; the numbers beside it are consistent', async () => {
  const page = await open('/toy?backend=cpu&views=real,fake,heat,grads,manifold,dstar');
  await page.evaluate(() => window.ganPlayground.step(40));
  await settle(page);
  const layers = { 'toy-heat': 0.1, 'toy-manifold': 0.003, 'toy-points': 0.01, 'toy-grads': 0.002, 'toy-dstar': 0.1 };
  for (const [id, min] of Object.entries(layers)) {
    const share = await inkedShare(page, id);
    assert.ok(share > min, `${id} drawn: ${share}`);
  }
  const r = await report(page);
  for (const k of ['jsd', 'kl', 'valueAtOptimum', 'valueD', 'dGap']) assert.ok(Number.isFinite(r[k]), `${k} = ${r[k]}`);
  assert.ok(r.jsd >= 0 && r.jsd <= Math.log(2) + 1e-9);
  assert.ok(Math.abs(r.valueAtOptimum - (2 * r.jsd - Math.log(4))) < 1e-9);
  assert.ok(r.dGap >= 0 && r.dGap <= 1);
  assert.match(await page.locator('#d-gap').textContent(), /^\d\.\d{3}$/);
  await screenshot(page, 'toy-all-views');

  // off again: the heat, arrow and manifold layers are blank, D* is hidden
  assert.deepEqual(await page.evaluate(() => window.ganPlayground.set('views', 'real,fake')), { ok: true, error: null });
  await page.waitForTimeout(400);
  for (const id of ['toy-heat', 'toy-grads', 'toy-manifold']) assert.equal(await inkedShare(page, id), 0, `${id} cleared`);
  assert.equal(await page.locator('figure.dstar').isVisible(), false);
  // the checkboxes drive the same setting
  await page.locator('#set-views input[value="heat"]').check();
  await page.waitForTimeout(400);
  assert.ok((await inkedShare(page, 'toy-heat')) > 0.1);
  assert.ok(page.url().includes('views=real,fake,heat'));
  assert.deepEqual(page.errors, []);
});

test('drawing a distribution with the pointer trains on it; an empty drawing gets a message', async () => {
  const page = await open('/toy?backend=cpu&seed=3');
  await page.locator('#draw-open').click();
  await page.locator('#draw-apply').click();
  await page.getByText(/Nothing drawn yet/).waitFor();
  // a horizontal stroke across the upper part of the square (data y ≈ +0.6)
  const box = await page.locator('.field-stack').boundingBox();
  const y = box.y + box.height * (0.5 - 0.6 / 2.4);
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width * (0.2 + 0.03 * i), y);
  await page.mouse.up();
  assert.equal((await report(page)).strokes, 1);
  assert.ok((await inkedShare(page, 'toy-points')) > 0.001, 'the stroke is drawn');
  await screenshot(page, 'toy-drawing');
  await page.locator('#draw-apply').click();
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null && s.step === 0);
  const c = await config(page);
  assert.equal(c.dist, 'drawn');
  assert.ok(c.drawing.length >= 8, c.drawing);
  assert.ok(page.url().includes(`drawing=${c.drawing}`));
  await page.evaluate(() => window.ganPlayground.step(400));
  const samples = await page.evaluate(() => window.ganPlayground.samples(500));
  const meanY = samples.reduce((a, p) => a + p[1], 0) / samples.length;
  assert.ok(Math.abs(meanY - 0.6) < 0.25, `generated samples moved to the stroke: mean y ${meanY}`);
  await screenshot(page, 'toy-drawn-trained');

  // the link reproduces the drawing
  const again = await open(new URL(page.url()).pathname + new URL(page.url()).search);
  assert.equal((await config(again)).drawing, c.drawing);
  assert.equal((await status(again)).error, null);
  // an empty drawing in a link opens the editor with a message; a corrupt one says so
  const empty = await open('/toy?backend=cpu&dist=drawn');
  assert.match((await status(empty)).error, /drawing is empty/);
  assert.equal((await report(empty)).drawMode, true);
  const corrupt = await open('/toy?backend=cpu&dist=drawn&drawing=ABC');
  assert.match((await status(corrupt)).error, /cannot be read/);
  assert.deepEqual([...page.errors, ...empty.errors, ...corrupt.errors], []);
});

test('every preset runs and says what it teaches', async () => {
  const page = await open('/toy?backend=cpu');
  const options = await page.locator('#preset option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v));
  assert.ok(options.length >= 8, options.join());
  for (const key of options) {
    await page.locator('#preset').selectOption(key);
    await page.locator('#preset-lesson').waitFor();
    await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null && s.step === 0);
    assert.equal(await page.evaluate(() => window.ganPlayground.step(5)), true, key);
    const s = await status(page);
    assert.equal(s.step, 5, key);
    assert.ok(Number.isFinite(s.losses.d) && Number.isFinite(s.losses.g), `${key}: ${JSON.stringify(s.losses)}`);
    if (key === 'ganlab-clusters') {
      const c = await config(page);
      assert.deepEqual([c.gWidth, c.dWidth, c.batch, c.kD, c.optD, c.lrD, c.lrG], [8, 8, 150, 2, 'sgd', 0.1, 0.03]);
    }
  }
  await screenshot(page, 'toy-preset');
  assert.deepEqual(page.errors, []);
});

test('step D, step G, slow motion with captions, and the loss formula', async () => {
  const page = await open('/toy?backend=cpu');
  await page.locator('#step-d').click();
  await page.waitForFunction(() => window.ganPlayground.report().dUpdates === 1);
  assert.equal((await report(page)).gUpdates, 0);
  await page.locator('#step-g').click();
  await page.waitForFunction(() => window.ganPlayground.report().gUpdates === 1);
  assert.equal((await status(page)).step, 0, 'single updates are not iterations');

  assert.match(await page.locator('#toy-math').innerHTML(), /<math/);
  assert.match(await page.locator('#toy-math').textContent(), /Non-saturating/);
  await page.evaluate(() => window.ganPlayground.set('loss', 'minimax'));
  await page.getByText(/original minimax game/).waitFor();

  await page.locator('#slow').click();
  const caption = page.locator('#slow-caption');
  await caption.getByText('1 · Sample noise').waitFor();
  const titles = [];
  for (let i = 0; i < 5; i++) {
    await page.locator('#next-phase').click();
    await page.waitForFunction((n) => window.ganPlayground.report().slowPhase === n, i + 1);
    titles.push(await caption.locator('b').textContent());
  }
  assert.deepEqual(titles, ['2 · Generate', '3 · D classifies', '4 · The loss', '5 · The gradients', '6 · The update']);
  await waitStatus(page, (s) => s.step === 1);
  assert.match(await caption.textContent(), /D took 1 step of adam/);
  await screenshot(page, 'toy-slow-motion');
  // play walks the sub-steps by itself
  await page.evaluate(() => window.ganPlayground.play());
  await page.waitForFunction(() => window.ganPlayground.report().slowPhase === 1, null, { timeout: 10_000 });
  await page.evaluate(() => window.ganPlayground.pause());
  await page.locator('#slow').click();
  assert.equal((await report(page)).slowPhase, null);
  assert.deepEqual(page.errors, []);
});

test('live settings: a new optimiser keeps the networks and says its state is fresh', async () => {
  const page = await open('/toy?backend=cpu&seed=4');
  await page.evaluate(() => window.ganPlayground.step(10));
  const before = await page.evaluate(() => window.ganPlayground.samples(5));
  assert.deepEqual(await page.evaluate(() => window.ganPlayground.set('optD', 'rmsprop')), { ok: true, error: null });
  await page.getByText(/D optimiser is now rmsprop: it starts with fresh state/).waitFor();
  assert.equal((await status(page)).step, 10, 'no reset');
  await page.evaluate(() => window.ganPlayground.set('beta1', 0.8));
  await page.getByText(/G optimiser \(adam\) restarts its running averages/).waitFor();
  await page.evaluate(() => window.ganPlayground.set('spectralNorm', 'on'));
  await page.evaluate(() => window.ganPlayground.set('loss', 'wgan-gp'));
  // generator averaging turns on live, from its labelled control
  await page.getByLabel('G weight averaging β (EMA)').fill('0.99');
  await page.getByLabel('G weight averaging β (EMA)').blur();
  await page.waitForFunction(() => window.ganPlayground.config().ema === 0.99);
  assert.equal((await status(page)).step, 10);
  await page.evaluate(() => window.ganPlayground.step(5));
  const s = await status(page);
  assert.equal(s.step, 15);
  assert.ok(Number.isFinite(s.losses.d));
  // architecture changes do reset
  await page.evaluate(() => window.ganPlayground.set('gWidth', 32));
  await waitStatus(page, (s) => s.step === 0 && s.losses.d !== null);
  assert.notDeepEqual(await page.evaluate(() => window.ganPlayground.samples(5)), before);
  assert.deepEqual(page.errors, []);
});

test('phone width: the lab fits without sideways scrolling', async () => {
  const page = await open('/toy?backend=cpu&views=real,fake,heat,dstar', { width: 390, height: 844 });
  await page.evaluate(() => window.ganPlayground.step(5));
  await settle(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
  await screenshot(page, 'toy-phone');
});
