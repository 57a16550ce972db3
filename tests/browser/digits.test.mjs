// Browser tests of the DCGAN digits page (/digits) in Debian's chromium: MNIST loads with a
// progress bar, a tiny DCGAN trains on the CPU and on WebGPU (SwiftShader here), the sample
// grid is drawn and changes, real test digits score as the ceiling, the pretrained start shows
// digits the classifier is confident about, and model files round-trip while bad ones are refused;
// the latent walk follows its dragged ends, a clicked sample gets its nearest training digits,
// D's output histogram is drawn, a conditional model draws one digit per row, and a corrupt
// or oversized image file is refused with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedBrowser, inkedShare, openPage, screenshot, settledStep, status, waitStatus } from './harness.mjs';

const ctx = sharedBrowser();
const report = (page) => page.evaluate(() => window.ganPlayground.report());
const api = (page, cmd, ...args) => page.evaluate(([c, a]) => window.ganPlayground[c](...a), [cmd, args]);
/** A canvas's grey values, to see whether it changed (the sample grid by default). */
const gridPixels = (page, id = 'digits-samples') => page.evaluate((id) => {
  const c = document.getElementById(id);
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
}, id);
/** The page position of grid cell `cell`'s centre (8 columns, 10 rows). */
const cellCentre = async (page, cell) => {
  const box = await page.locator('#digits-samples').boundingBox();
  return { x: box.x + ((cell % 8) + 0.5) * box.width / 8, y: box.y + (Math.floor(cell / 8) + 0.5) * box.height / 10 };
};
const config = (page) => page.evaluate(() => window.ganPlayground.config());
/** Opens `path`, presses "Start from pretrained" and waits until the pretrained run reports `field`. */
async function openPretrained(path, field) {
  const page = await open(path);
  await page.click('#pretrained');
  await page.waitForFunction((f) => new URL(location.href).searchParams.get('start') === 'pretrained' && window.ganPlayground.report()[f] !== null, field, { timeout: 120_000 });
  return page;
}
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
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn === 80, null, { timeout: 60_000 });
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
  // on the CPU the run trains in a Web Worker (web/worker.rs); the grid still refreshes while
  // it plays, and a pause stops training
  const playedFrom = await gridPixels(page);
  await api(page, 'play');
  const p = await waitStatus(page, (s) => s.metrics.inWorker === 1 && s.metrics.stepsPerFrame > 0, 30_000);
  assert.match(p.adapter, /Web Worker/);
  assert.equal(p.metrics.gapSteps, 0, 'the page thread trains nothing itself');
  assert.ok(p.metrics.workerWasmBytes > 47e6, `the worker holds its own copy of the training digits: ${p.metrics.workerWasmBytes} bytes`);
  await page.waitForFunction(() => window.ganPlayground.status().step > 40, null, { timeout: 30_000 });
  await page.waitForTimeout(400); // at least one refresh of the images (every 250 ms while playing)
  assert.ok(differs(playedFrom, await gridPixels(page)), 'the sample grid refreshes while training plays');
  await api(page, 'pause');
  const pausedAt = await settledStep(page);
  await page.waitForTimeout(700);
  assert.equal((await status(page)).step, pausedAt, 'no steps after pause');
  assert.match(await page.locator('.attribution').textContent(), /LeCun.*CC BY-SA 3\.0/);
  assert.match(await page.locator('#cpu-note').textContent(), /slowly/);
  await screenshot(page, 'digits-cpu');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('/digits without Web Workers trains its CPU run on the page thread, between frames too', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/digits?backend=cpu&width=0.0625&batch=16`, { init: () => { delete window.Worker; } });
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn === 80, null, { timeout: 120_000 });
  let s = await status(page);
  assert.equal(s.metrics.inWorker, 0, JSON.stringify(s.metrics));
  assert.doesNotMatch(s.adapter, /Web Worker/);
  await api(page, 'play');
  // a digits step may delay a frame: the page thread trains while it waits for the next one
  s = await waitStatus(page, (s) => s.metrics.gapSteps > 0 && s.step > 10, 60_000);
  assert.ok(s.metrics.stepsPerFrame >= s.metrics.gapSteps, JSON.stringify(s.metrics));
  await api(page, 'pause');
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
  assert.equal(s.metrics.inWorker, 0, 'WebGPU steps only enqueue work: they stay on the page thread');
  await screenshot(page, 'digits-webgpu');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('start from pretrained shows digits the classifier is confident about; model files round-trip; bad files are refused', async () => {
  const page = await openPretrained('/digits?backend=cpu', 'mnistScore');
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
  await page.waitForFunction(() => window.ganPlayground.report().samplesDrawn === 80);
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

test('the latent walk follows its dragged ends, a clicked sample gets its nearest training digits, D\'s outputs are a histogram', async () => {
  const page = await openPretrained('/digits?backend=cpu', 'mnistScore');
  await page.waitForFunction(() => window.ganPlayground.report().neighbours.length === 8, null, { timeout: 120_000 });
  let r = await report(page);
  assert.equal(r.walkDrawn, 10);
  assert.ok(await inkedShare(page, 'digits-walk') > 0.5, 'the walk strip is drawn');
  assert.ok(await inkedShare(page, 'digits-dhist') > 0.02, 'the histogram is drawn');
  assert.ok(r.dReal >= 0 && r.dReal <= 1 && r.dFake >= 0 && r.dFake <= 1, `ns: D(x) is a probability (${r.dReal}, ${r.dFake})`);
  const c0 = await config(page);
  assert.deepEqual([c0.walkFrom, c0.walkTo, c0.inspect], [0, 7, 0]);
  await api(page, 'step', 2);
  const walk0 = await gridPixels(page, 'digits-walk');

  // drag end B from its cell (7) to cell 77: the walk follows and the link records it, without a new run
  const from = await cellCentre(page, 7), to = await cellCentre(page, 77);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  assert.equal((await config(page)).walkTo, 77);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('walkTo') === '77');
  let walk1 = walk0;
  for (let i = 0; i < 50 && !differs(walk0, walk1); i++) { await page.waitForTimeout(100); walk1 = await gridPixels(page, 'digits-walk'); }
  assert.ok(differs(walk0, walk1), 'the walk changed with its end');
  assert.equal((await status(page)).step, 2, 'moving an end does not restart training');
  const markTo = await page.locator('#mark-to').boundingBox(), cell77 = await cellCentre(page, 77);
  assert.ok(Math.abs(markTo.x + markTo.width / 2 - cell77.x) < 3 && Math.abs(markTo.y + markTo.height / 2 - cell77.y) < 3, 'marker B sits on cell 77');

  // click a sample: its nearest training digits, nearest first, on the copy-distance scale
  const target = await cellCentre(page, 42);
  await page.mouse.click(target.x, target.y);
  assert.equal((await config(page)).inspect, 42);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('inspect') === '42');
  await page.waitForFunction(() => window.ganPlayground.report().neighbourScale !== null, null, { timeout: 60_000 });
  r = await report(page);
  assert.equal(r.neighbours.length, 8);
  const d = r.neighbours.map((n) => n.distance);
  assert.ok(d.every((v, i) => v > 0 && v < 2 && (i === 0 || d[i - 1] <= v)), `distances ${d}`);
  assert.ok(r.neighbours.every((n) => Number.isInteger(n.index) && n.index >= 0 && n.index < 60000 && n.label >= 0 && n.label <= 9));
  assert.ok(r.neighbourScale > 0.1 && r.neighbourScale < 1.5, `a real test digit's nearest training digit is ${r.neighbourScale} away`);
  assert.match(await page.locator('#neighbour-caption').textContent(), /Sample 42.*nearest training digits/);
  assert.ok(await inkedShare(page, 'digits-neighbours') > 0.5 && await inkedShare(page, 'digits-query') > 0.5, 'the neighbours are drawn');
  // the same from the keyboard-reachable field
  await page.locator('#set-walkFrom').fill('12');
  await page.locator('#set-walkFrom').press('Tab');
  await page.waitForFunction(() => window.ganPlayground.config().walkFrom === 12);
  await screenshot(page, 'digits-inspect');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a conditional model draws one digit per row: the pretrained conditional G, read by the classifier', async () => {
  const page = await openPretrained('/digits?backend=cpu&conditional=on', 'gridAgreement');
  const r = await report(page);
  const c = await config(page);
  assert.equal(c.conditional, 'on');
  // chance is 10 %; the shipped conditional weights give 97.5 % and 9.85 on 64 samples here
  assert.ok(r.gridAgreement > 0.9, `the classifier reads ${r.gridAgreement * 100} % of grid samples as their row's digit`);
  assert.ok(r.mnistScore > 9, `conditional pretrained MNIST score ${r.mnistScore}`);
  assert.match(await page.locator('#grid-agreement').textContent(), /Rows the classifier reads as their digit: \d+ %/);
  assert.match(await page.locator('#walk-caption').textContent(), /label embedding/);
  await screenshot(page, 'digits-conditional');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a corrupt or oversized MNIST image file gets a message, not a hang (the browser inflates it)', async () => {
  const zlib = await import('node:zlib');
  const cases = [
    // gzip's magic bytes, then garbage
    [Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(4000, 0x5a)]), /not valid gzip/],
    // valid gzip that inflates to more than the 10,000 test images
    [zlib.gzipSync(Buffer.alloc(10_001 * 784, 7)), /not valid gzip \(more than the 7840000 bytes expected\)/],
  ];
  for (const [body, message] of cases) {
    const page = await ctx.browser.newPage();
    await page.route('**/data/mnist-test-images.u8.gz', (route) => route.fulfill({ body, contentType: 'application/gzip' }));
    await page.goto(`${ctx.server.url}/digits?backend=cpu&width=0.0625`);
    await page.waitForFunction(() => window.ganPlayground?.report().loading.startsWith('failed'), null, { timeout: 120_000 });
    const loading = (await report(page)).loading;
    assert.match(loading, /MNIST test set/, loading);
    assert.match(loading, message, loading);
    assert.match((await status(page)).error, /could not be loaded.*Reload the page/);
    assert.equal(await page.locator('#backend').textContent(), 'not started', 'no device is claimed to be starting');
    await page.close();
  }
});
