// Browser tests of the DCGAN digits page (/digits) in Debian's chromium: MNIST loads with a
// progress bar, a tiny DCGAN trains on the CPU and on WebGPU (SwiftShader here), the sample
// grid is drawn and changes, real test digits score as the ceiling, the pretrained start shows
// digits the classifier is confident about, and model files round-trip while bad ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedBrowser, inkedShare, openPage, screenshot, status, waitStatus } from './harness.mjs';

const ctx = sharedBrowser();
const report = (page) => page.evaluate(() => window.ganPlayground.report());
const api = (page, cmd, ...args) => page.evaluate(([c, a]) => window.ganPlayground[c](...a), [cmd, args]);
/** The grid's pixels, to see whether it changed. */
const gridPixels = (page) => page.evaluate(() => {
  const c = document.getElementById('digits-samples');
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
});
const differs = (a, b) => a.length !== b.length || a.some((v, i) => v !== b[i]);

async function open(path) {
  const page = await openPage(ctx.browser, ctx.server.url + path);
  await waitStatus(page, (s) => s.error !== null || (s.backend !== null && s.losses.d === null && s.step === 0), 120_000);
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn > 0 || window.ganPlayground.status().error, null, { timeout: 120_000 });
  return page;
}

test('MNIST loads with a progress bar; a tiny DCGAN trains on the CPU and the grid changes', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/digits?backend=cpu&width=0.0625&batch=16`);
  // the progress bar shows while the files download (they are only fetched on this page)
  await page.locator('#digits-progress').waitFor({ timeout: 30_000 });
  const fetched = () => page.requests.filter((u) => u.includes('/data/mnist-'));
  await page.waitForFunction(() => window.ganPlayground.report().loading === 'ready', null, { timeout: 120_000 });
  assert.equal(fetched().length, 4, `MNIST files fetched: ${fetched()}`);
  assert.equal(await page.locator('#digits-progress').count(), 0, 'the progress bar goes once loaded');
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn === 64, null, { timeout: 60_000 });
  const r0 = await report(page);
  assert.ok(r0.realMnistScore > 9, `real test digits score ${r0.realMnistScore}`);
  assert.ok(r0.realFrechet >= 0 && Number.isFinite(r0.realFrechet));
  assert.ok(await inkedShare(page, 'digits-real') > 0.05, 'real digits drawn');
  const before = await gridPixels(page);
  assert.equal((await status(page)).backend, 'cpu');
  await api(page, 'step', 5);
  const s = await status(page);
  assert.ok(s.step >= 5, `step ${s.step}`);
  assert.ok(Number.isFinite(s.losses.d) && Number.isFinite(s.losses.g), JSON.stringify(s.losses));
  assert.ok(differs(before, await gridPixels(page)), 'the sample grid changed after training');
  // scores of generated images arrive (an untrained G's are far below the real ceiling)
  await page.waitForFunction(() => window.ganPlayground.report().mnistScore !== null, null, { timeout: 60_000 }).catch(async () => {
    await api(page, 'step', 1);
  });
  const r = await report(page);
  assert.ok(r.mnistScore >= 1 && r.mnistScore <= 10, `MNIST score ${r.mnistScore}`);
  assert.match(await page.locator('.attribution').textContent(), /LeCun.*CC BY-SA 3\.0/);
  assert.match(await page.locator('#cpu-note').textContent(), /slowly/);
  await screenshot(page, 'digits-cpu');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the same DCGAN trains on WebGPU (SwiftShader adapter here)', async () => {
  const page = await open('/digits?backend=webgpu&width=0.0625&batch=8');
  const s0 = await status(page);
  assert.equal(s0.error, null, s0.error);
  assert.equal(s0.backend, 'webgpu');
  const before = await gridPixels(page);
  await api(page, 'step', 2);
  const s = await status(page);
  assert.ok(s.step >= 2 && Number.isFinite(s.losses.d) && Number.isFinite(s.losses.g), JSON.stringify(s));
  assert.ok(differs(before, await gridPixels(page)), 'the grid changed');
  await screenshot(page, 'digits-webgpu');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('start from pretrained shows digits the classifier is confident about; model files round-trip; bad files are refused', async () => {
  const page = await open('/digits?backend=cpu');
  await page.click('#pretrained');
  await page.waitForFunction(() => { const r = window.ganPlayground.report(); return new URL(location.href).searchParams.get('start') === 'pretrained' && r.mnistScore !== null; }, null, { timeout: 120_000 });
  const pre = await report(page);
  const fresh = await (async () => {
    const p = await open('/digits?backend=cpu&width=0.25');
    await p.waitForFunction(() => window.ganPlayground.report().mnistScore !== null, null, { timeout: 60_000 });
    const r = await report(p);
    await p.close();
    return r;
  })();
  assert.ok(pre.mnistScore > 5 && pre.mnistScore > fresh.mnistScore + 2, `pretrained ${pre.mnistScore} vs untrained ${fresh.mnistScore}`);
  assert.ok(pre.frechet < fresh.frechet, `FD pretrained ${pre.frechet} vs untrained ${fresh.frechet}`);
  await screenshot(page, 'digits-pretrained');

  // save, train on, load back: the grid is the saved one again
  const saved = await gridPixels(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-model').click()]);
  assert.match(download.suggestedFilename(), /^gan-playground-digits-w0\.25-step0\.bin$/);
  const bytes = fs.readFileSync(await download.path());
  await api(page, 'step', 3);
  const trained = await gridPixels(page);
  assert.ok(differs(saved, trained), 'training changed the grid');
  const load = (name, buffer) => page.locator('#load-model').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  const notice = (text) => page.locator('.notice', { hasText: text }).waitFor({ timeout: 30_000 });
  await load('saved.bin', bytes);
  await notice('Loaded “saved.bin”');
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn === 64);
  await page.waitForTimeout(300);
  assert.ok(!differs(saved, await gridPixels(page)), 'the loaded weights draw the saved grid');

  // a truncated, a random and a wrong-architecture file: a notice each, the model unchanged
  const narrow = fs.readFileSync(new URL('../../www/models/classifier.bin', import.meta.url));
  const bad = [
    ['truncated.bin', bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['random.bin', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251))],
    ['classifier.bin', narrow],
  ];
  for (const [name, buffer] of bad) {
    await load(name, buffer);
    await notice(`Could not load “${name}”`);
    assert.match(await page.locator('.notice', { hasText: `Could not load “${name}”` }).textContent(), /unchanged/);
  }
  assert.ok(!differs(saved, await gridPixels(page)), 'bad files left the model as it was');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('bad settings: a size the CPU cannot train is refused with a message; the pretrained start needs its shape', async () => {
  const page = await open('/digits?backend=cpu&width=1&batch=64');
  const s = await status(page);
  assert.match(s.error ?? '', /GFLOP per training iteration/);
  const mismatch = await open('/digits?backend=cpu&start=pretrained&width=0.125');
  assert.match((await status(mismatch)).error ?? '', /pretrained weights are for width 0\.25/);
  await screenshot(mismatch, 'digits-mismatch');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(mismatch.errors, []);
  await page.close();
  await mismatch.close();
});
