// Browser tests of the app shell and the first toy demo, in Debian's chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, openPage, screenshot, settledStep, status, waitStatus, inkedShare } from './harness.mjs';

let browser, server;
const pages = [];

before(async () => {
  const embed = (src) => `<!doctype html><html><body><iframe id="demo" src="${src}" width="960" height="540"></iframe>
<script>
  window.replies = [];
  addEventListener('message', (e) => { if (e.data && e.data.type === 'ganPlayground:reply') window.replies.push(e.data); });
  window.send = (id, cmd, args) => document.getElementById('demo').contentWindow.postMessage({ type: 'ganPlayground', id, cmd, args }, '*');
</script></body></html>`;
  server = await serve({ '/__test/embed.html': embed('/toy?backend=cpu&seed=5') });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path, opts) {
  const page = await openPage(browser, server.url + path, opts);
  pages.push(page);
  return page;
}

/** Pixels close to the generated-sample colour (#753aa8). */
async function fakeDots(page) {
  return page.evaluate(() => {
    const c = document.getElementById('toy-points');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x75) < 40 && Math.abs(d[i + 1] - 0x3a) < 40 && Math.abs(d[i + 2] - 0xa8) < 40) n++;
    return n;
  });
}

test('the landing page lists the four demos', async () => {
  const page = await open('/');
  const cards = await page.locator('.cards .card h2').allTextContents();
  assert.deepEqual(cards, ['Toy 2-D lab', 'Mode-collapse lab', 'Saddle-point lab', 'DCGAN digits']);
  assert.equal((await status(page)).route, '/');
  await screenshot(page, 'landing');
});

test('/toy trains on the CPU backend: step advances, losses are finite, the canvas shows samples', async () => {
  const page = await open('/toy?backend=cpu');
  let s = await waitStatus(page, (s) => s.backend === 'cpu' && s.step === 0 && s.losses.d !== null);
  assert.equal(s.running, false);
  assert.match(s.adapter, /CPU \(burn flex/);
  const done = await page.evaluate(() => window.ganPlayground.step(25));
  assert.equal(done, true);
  s = await status(page);
  assert.equal(s.step, 25);
  assert.ok(Number.isFinite(s.losses.d) && Number.isFinite(s.losses.g), JSON.stringify(s.losses));
  assert.ok((await fakeDots(page)) > 200, 'generated samples are drawn');
  assert.ok((await inkedShare(page, 'toy-loss')) > 0.01, 'the loss chart is drawn');

  // play runs many steps per frame (GAN Lab is capped at one per frame)
  await page.evaluate(() => window.ganPlayground.play());
  s = await waitStatus(page, (s) => s.step > 400 && s.stepsPerSec > 0, 120_000);
  assert.equal(s.running, true);
  assert.ok(s.fps > 0);
  // on the CPU backend the toy trains in a Web Worker (web/worker.rs): many steps between two
  // drawn frames, none of them on the page's thread
  s = await waitStatus(page, (s) => s.metrics.inWorker === 1 && s.metrics.stepsPerFrame > 1, 30_000);
  assert.match(s.adapter, /Web Worker/);
  assert.equal(s.metrics.gapSteps, 0, JSON.stringify(s.metrics));
  await page.evaluate(() => window.ganPlayground.pause());
  // pausing stops training between frames too: the next frame publishes the steps trained
  // before the pause, and after it the step count stays put
  const pausedAt = await settledStep(page);
  await page.waitForTimeout(700);
  assert.equal((await status(page)).step, pausedAt, 'no steps after pause');
  await screenshot(page, 'toy-cpu');

  // generated samples have moved toward the ring of radius 1
  const samples = await page.evaluate(() => window.ganPlayground.samples(500));
  assert.equal(samples.length, 500);
  const meanRadius = samples.reduce((a, [x, y]) => a + Math.hypot(x, y), 0) / samples.length;
  assert.ok(Math.abs(meanRadius - 1) < 0.35, `mean radius ${meanRadius}`);
  assert.deepEqual(page.errors, []);
});

test('/toy without Web Workers trains its CPU run on the page thread, between frames too', async () => {
  // a page where workers cannot start (a stricter embedding policy, an old browser): the run
  // falls back to the page's own scheduler, which also trains between frames (scheduler.rs)
  const page = await openPage(browser, `${server.url}/toy?backend=cpu`, { init: () => { delete window.Worker; } });
  pages.push(page);
  let s = await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null, 60_000);
  assert.doesNotMatch(s.adapter, /Web Worker/);
  await page.evaluate(() => window.ganPlayground.play());
  s = await waitStatus(page, (s) => s.metrics.gapSteps > 0, 30_000);
  assert.equal(s.metrics.inWorker, 0, JSON.stringify(s.metrics));
  assert.ok(s.metrics.stepsPerFrame >= s.metrics.gapSteps, JSON.stringify(s.metrics));
  await page.evaluate(() => window.ganPlayground.pause());
  assert.equal(s.error, null);
  assert.deepEqual(page.errors, []);
});

test('/toy trains on WebGPU (SwiftShader adapter here)', async () => {
  const page = await open('/toy?backend=cpu');
  await waitStatus(page, (s) => s.backend === 'cpu');
  const r = await page.evaluate(() => window.ganPlayground.set('backend', 'webgpu'));
  assert.deepEqual(r, { ok: true, error: null });
  let s = await waitStatus(page, (s) => s.backend === 'webgpu' && s.losses.d !== null, 120_000);
  assert.match(s.adapter, /swiftshader|google/i);
  assert.equal(await page.evaluate(() => window.ganPlayground.step(3)), true);
  s = await status(page);
  assert.equal(s.step, 3);
  assert.ok(Number.isFinite(s.losses.d) && Number.isFinite(s.losses.g));
  assert.ok((await fakeDots(page)) > 200);
  assert.equal(s.error, null);
  // WebGPU steps only enqueue work: no training between frames there
  await page.evaluate(() => window.ganPlayground.play());
  s = await waitStatus(page, (s) => s.step >= 8, 60_000);
  assert.equal(s.metrics.gapSteps, 0, JSON.stringify(s.metrics));
  assert.equal(s.metrics.inWorker, 0, 'WebGPU steps only enqueue work: they stay on the page thread');
  await page.evaluate(() => window.ganPlayground.pause());
  await screenshot(page, 'toy-webgpu');
  assert.deepEqual(page.errors, []);
});

test('backend=auto picks the CPU over a software WebGPU adapter and says why', async () => {
  const page = await open('/toy');
  const s = await waitStatus(page, (s) => s.backend !== null);
  assert.equal(s.backend, 'cpu');
  await page.getByText('software').first().waitFor();
});

test('same seed, same run: a link reproduces the numbers', async () => {
  const run = async () => {
    const page = await open('/toy?backend=cpu&seed=11&batch=64');
    await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null);
    await page.evaluate(() => window.ganPlayground.step(10));
    return (await status(page)).losses;
  };
  assert.deepEqual(await run(), await run());
});

test('settings: the URL carries every setting, set() validates, bad links give a notice', async () => {
  const page = await open('/toy?backend=cpu&lrD=abc&batch=99999&seed=7&unknown=1');
  await waitStatus(page, (s) => s.backend === 'cpu');
  await page.getByText(/lrD must be a number/).waitFor();
  await page.getByText(/batch must be between/).waitFor();
  const config = await page.evaluate(() => window.ganPlayground.config());
  assert.equal(config.seed, 7);
  assert.equal(config.lrD, 0.001);
  assert.equal(config.batch, 256);
  for (const key of ['seed', 'backend', 'dist', 'batch', 'latentDim', 'gLayers', 'gWidth', 'dLayers', 'dWidth', 'loss', 'optD', 'optG', 'lrD', 'lrG', 'kD', 'kG']) {
    assert.ok(key in config, key);
    assert.ok(page.url().includes(`${key}=`), `URL has ${key}`);
  }
  assert.deepEqual(await page.evaluate(() => window.ganPlayground.set('lrG', 0.0005)), { ok: true, error: null });
  assert.ok(page.url().includes('lrG=0.0005'));
  assert.equal(await page.evaluate(() => window.ganPlayground.get('lrG')), 0.0005);
  const bad = await page.evaluate(() => window.ganPlayground.set('gLayers', 99));
  assert.equal(bad.ok, false);
  assert.match(bad.error, /gLayers must be between 0 and 6/);
  // the form shows the value in force and typing a bad one is refused with a notice
  assert.equal(await page.locator('#set-lrG').inputValue(), '0.0005');
  await page.locator('#set-gWidth').fill('100000');
  await page.locator('#set-gWidth').dispatchEvent('change');
  await page.getByText(/gWidth must be between 1 and 512/).waitFor();
  assert.equal(await page.evaluate(() => window.ganPlayground.get('gWidth')), 64);
  await screenshot(page, 'toy-notices');
});

test('divergence pauses training with a message naming the likely cause', async () => {
  const page = await open('/toy?backend=cpu&lrD=10&lrG=10&optD=sgd&optG=sgd&loss=lsgan');
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null);
  await page.evaluate(() => window.ganPlayground.play());
  const s = await waitStatus(page, (s) => s.error !== null, 60_000);
  assert.equal(s.running, false);
  assert.match(s.error, /diverged/);
  assert.match(s.error, /learning rate/);
  await page.getByRole('alert').waitFor();
  await screenshot(page, 'toy-diverged');
});

test('postMessage bridge round-trips from an embedding page', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/__test/embed.html');
  const frame = page.frameLocator('#demo');
  await frame.locator('#toy-points').waitFor();
  const call = async (id, cmd, args = []) => {
    await page.evaluate(([id, cmd, args]) => window.send(id, cmd, args), [id, cmd, args]);
    await page.waitForFunction((id) => window.replies.some((r) => r.id === id), id, { timeout: 60_000 });
    return page.evaluate((id) => window.replies.find((r) => r.id === id).result, id);
  };
  await page.waitForFunction(() => true);
  let s;
  for (let i = 0; i < 100; i++) {
    s = await call(`s${i}`, 'status');
    if (s.backend === 'cpu' && s.losses.d !== null) break;
    await page.waitForTimeout(100);
  }
  assert.equal(s.route, '/toy');
  assert.equal(await call('step', 'step', [5]), true);
  assert.equal((await call('after', 'status')).step, 5);
  assert.deepEqual(await call('set', 'set', ['lrD', 0.002]), { ok: true, error: null });
  assert.equal(await call('get', 'get', ['lrD']), 0.002);
  assert.deepEqual(errors, []);
  await screenshot(page, 'embed');
  await page.close();
});

test('goto() switches routes and reset() restarts the run', async () => {
  const page = await open('/');
  await page.evaluate(() => window.ganPlayground.goto('/toy?backend=cpu'));
  await waitStatus(page, (s) => s.route === '/toy' && s.backend === 'cpu' && s.losses.d !== null);
  await page.evaluate(() => window.ganPlayground.step(5));
  assert.equal((await status(page)).step, 5);
  await page.evaluate(() => window.ganPlayground.reset());
  assert.equal((await status(page)).step, 0);
  await page.evaluate(() => window.ganPlayground.goto('/'));
  const s = await status(page);
  assert.equal(s.route, '/');
  assert.equal(s.backend, null);
});

test('no console errors and no request leaves the origin', async () => {
  for (const page of pages) {
    assert.deepEqual(page.errors, [], page.url());
    for (const url of page.requests) assert.ok(url.startsWith(server.url) || url.startsWith('data:') || url.startsWith('blob:'), url);
  }
});
