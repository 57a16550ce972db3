// Faults a lecture meets, provoked in Debian's chromium (docs/robustness.md): an absurd
// learning rate, a GPU that fails to start, lacks limits or is lost mid-run, a hidden tab, the
// largest settings, and a storm of random interaction. Each test asserts the message and the
// state afterwards, and that nothing reached the console as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, screenshot, status, waitStatus } from './harness.mjs';

const ctx = sharedBrowser();
const api = (page, cmd, ...args) => page.evaluate(([cmd, args]) => window.ganPlayground[cmd](...args), [cmd, args]);

async function open(path, { init } = {}) {
  if (!init) return openPage(ctx.browser, ctx.server.url + path);
  // a page whose WebGPU is tampered with before the app loads
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(init);
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(ctx.server.url + path);
  await page.waitForFunction(() => window.ganPlayground !== undefined, null, { timeout: 60_000 });
  return page;
}

const notices = (page) => page.locator('.notice').allTextContents();

for (const [route, key, runName] of [['/toy', 'lrD', null], ['/collapse', 'bLrD', 'B']]) {
  test(`${route}: ${key} = 1000 is caught, paused and explained; undo puts the run back`, async () => {
    const small = route === '/collapse' ? '&gWidth=32&dWidth=32&batch=64' : '';
    const page = await open(`${route}?backend=cpu${small}`);
    await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null, 120_000);
    await api(page, 'step', 20);
    const before = await status(page);
    assert.equal(before.step, 20);
    assert.deepEqual(await api(page, 'set', key, 1000), { ok: true, error: null });
    assert.ok(page.url().includes(`${key}=1000`));
    await api(page, 'play');
    const s = await waitStatus(page, (s) => s.error !== null, 60_000);
    assert.equal(s.running, false);
    assert.match(s.error, /diverged at step \d+: .*weight reached/);
    if (runName) assert.match(s.error, new RegExp(`run ${runName}`));
    else assert.match(s.error, /learning rate too high/);
    assert.match(s.error, /Undo last change/);
    await page.getByRole('alert').waitFor();
    // play refuses while the run is broken
    await api(page, 'play');
    assert.equal((await status(page)).running, false);
    await screenshot(page, `${route.slice(1)}-diverged-lr1000`);
    await page.locator('#undo').click();
    const back = await waitStatus(page, (s) => s.error === null && s.losses.d !== null);
    assert.equal(back.step, 20, 'the run as it was before the change');
    assert.equal(back.running, false);
    assert.equal((await api(page, 'config'))[key], 0.001);
    assert.ok(page.url().includes(`${key}=0.001`));
    assert.equal(await page.locator('#undo').isDisabled(), true);
    // and it trains on from there
    await api(page, 'step', 5);
    const after = await status(page);
    assert.equal(after.step, 25);
    assert.equal(after.error, null);
    assert.deepEqual((await api(page, 'undo')).ok, false, 'one level of undo');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('a lost GPU device: a message, and the run continues on the CPU with the same settings', async () => {
  const page = await open('/toy?backend=webgpu&gWidth=16&dWidth=16&seed=9', {
    init: () => {
      window.__gpuDevices = [];
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (...a) {
        const d = await request.apply(this, a);
        window.__gpuDevices.push(d);
        return d;
      };
    },
  });
  await waitStatus(page, (s) => s.backend === 'webgpu' && s.losses.d !== null, 120_000);
  const config = await api(page, 'config');
  await api(page, 'play');
  await waitStatus(page, (s) => s.step > 0, 120_000);
  await page.evaluate(() => window.__gpuDevices.forEach((d) => d.destroy()));
  const s = await waitStatus(page, (s) => s.backend === 'cpu' && s.running && s.step > 3 && s.error === null, 120_000);
  assert.match(s.adapter, /CPU/);
  assert.match((await notices(page)).join(' '), /GPU device was lost.*CPU backend/);
  assert.deepEqual(await api(page, 'config'), config, 'same settings (backend stays as the link says)');
  await screenshot(page, 'toy-device-lost');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// /digits' fresh worker also needs its copy of the training digits before it can train again
/** Runs in the page before the app: keeps a handle on every worker it starts, to make one fail. */
const trackWorkers = () => {
  const Real = window.Worker;
  window.__workers = [];
  window.Worker = class extends Real {
    constructor(...a) {
      super(...a);
      window.__workers.push(this);
    }
  };
};

for (const [path, started] of [
  ['/toy?backend=cpu&gWidth=16&dWidth=16&seed=3', (s) => s.backend === 'cpu' && s.losses.d !== null],
  ['/digits?backend=cpu&width=0.0625&batch=16', (s) => s.backend === 'cpu' && s.step === 0 && s.adapter.includes('Worker')],
]) {
  test(`${path.split('?')[0]}: the training worker fails: a message, training stops, and Reset trains in a fresh worker`, async () => {
    const page = await open(path, {
      init: trackWorkers,
    });
    await waitStatus(page, started, 120_000);
    await api(page, 'play');
    await waitStatus(page, (s) => s.step > 20 && s.metrics.inWorker === 1);
    // what the page sees when a worker dies of an uncaught error (a panic in its instance)
    await page.evaluate(() => window.__workers.at(-1).dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' })));
    let s = await waitStatus(page, (s) => s.error !== null && !s.running);
    assert.match(s.error, /Training stopped: the training worker stopped: simulated crash/);
    await api(page, 'play');
    assert.equal((await status(page)).running, false, 'play refuses until Reset');
    await api(page, 'reset');
    await api(page, 'play');
    s = await waitStatus(page, (s) => s.error === null && s.running && s.step > 20 && s.metrics.inWorker === 1, 60_000);
    assert.equal(await page.evaluate(() => window.__workers.length), 2, 'a fresh worker');
    await api(page, 'pause');
    // the page logged the failure itself, and nothing else went wrong
    assert.deepEqual(page.errors, ['training worker: simulated crash']);
    await page.context().close();
  });
}

test('/toy: a training worker ended without an error event: a message once it stops answering, and Reset trains in a fresh worker', async () => {
  const page = await open('/toy?backend=cpu&gWidth=16&dWidth=16&seed=4', { init: trackWorkers });
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null, 120_000);
  await api(page, 'play');
  await waitStatus(page, (s) => s.step > 20 && s.metrics.inWorker === 1);
  // what a browser that ends the worker (say, for memory) leaves: no error event, no replies
  await page.evaluate(() => window.__workers.at(-1).terminate());
  let s = await waitStatus(page, (s) => s.error !== null && !s.running, 40_000);
  assert.match(s.error, /Training stopped: the training worker stopped: it stopped answering \(no reply in 20 s\)/);
  await api(page, 'reset');
  await api(page, 'play');
  s = await waitStatus(page, (s) => s.error === null && s.running && s.step > 20 && s.metrics.inWorker === 1, 60_000);
  assert.equal(await page.evaluate(() => window.__workers.length), 2, 'a fresh worker');
  await api(page, 'pause');
  assert.deepEqual(page.errors, ['training worker: it stopped answering (no reply in 20 s)']);
  await page.context().close();
});

const failures = {
  'WebGPU that fails to start': [
    () => { GPUAdapter.prototype.requestDevice = () => Promise.reject(new DOMException('no device for you', 'OperationError')); },
    /WebGPU failed to start: .*no device for you.*CPU backend instead/s,
  ],
  'an adapter short of the limits the kernels need': [
    () => {
      const limits = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, 'limits').get;
      Object.defineProperty(GPUAdapter.prototype, 'limits', {
        get() { const l = limits.call(this); return new Proxy(l, { get: (t, k) => (k === 'maxStorageBuffersPerShaderStage' ? 4 : t[k]) }); },
      });
    },
    /maxStorageBuffersPerShaderStage = 4, below the 8 this page needs.*CPU backend instead/,
  ],
  'a browser without a WebGPU adapter': [
    () => { navigator.gpu.requestAdapter = () => Promise.resolve(null); },
    /no WebGPU adapter.*CPU backend instead/,
  ],
};
for (const [name, [init, message]] of Object.entries(failures)) {
  test(`${name}: a message, and the CPU backend trains`, async () => {
    const page = await open('/toy?backend=webgpu&seed=3', { init });
    const s = await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null, 120_000);
    assert.equal(s.error, null);
    assert.match((await notices(page)).join(' '), message);
    await api(page, 'step', 3);
    assert.equal((await status(page)).step, 3);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('a hidden tab pauses training and showing it again resumes', async () => {
  const page = await open('/toy?backend=cpu');
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null);
  await api(page, 'play');
  await waitStatus(page, (s) => s.running && s.step > 0);
  const setHidden = (hidden) => page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  const hidden = await waitStatus(page, (s) => !s.running);
  await page.waitForTimeout(500);
  const still = await status(page);
  assert.ok(still.step <= hidden.step + 50, 'at most the frame in flight');
  assert.equal(still.running, false);
  await setHidden(false);
  await waitStatus(page, (s) => s.running);
  await waitStatus(page, `(s) => s.step > ${still.step + 5}`);
  // a page the user paused stays paused across hide and show
  await api(page, 'pause');
  await setHidden(true);
  await setHidden(false);
  await page.waitForTimeout(300);
  assert.equal((await status(page)).running, false);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the largest sizes: refused up front on the CPU with a message, never a frozen tab', async () => {
  const huge = 'latentDim=64&gLayers=6&gWidth=512&dLayers=6&dWidth=512&batch=4096&kD=20&kG=20';
  const page = await open(`/toy?backend=cpu&${huge}`);
  const s = await waitStatus(page, (s) => s.error !== null);
  assert.match(s.error, /GFLOP per training iteration.*CPU backend/);
  assert.equal(s.running, false);
  await page.getByRole('alert').waitFor();
  await screenshot(page, 'toy-too-large');
  // the page still answers, and shrinking it one setting at a time is accepted until it runs
  const t0 = Date.now();
  for (const [key, value] of [['batch', 64], ['kD', 1], ['kG', 1], ['gLayers', 2], ['dLayers', 2]]) {
    await page.locator(`#set-${key}`).fill(String(value));
    await page.locator(`#set-${key}`).dispatchEvent('change');
    assert.equal(await api(page, 'get', key), value);
  }
  assert.ok(Date.now() - t0 < 10_000);
  const runs = await waitStatus(page, (s) => s.error === null && s.losses.d !== null, 120_000);
  assert.equal(runs.backend, 'cpu');
  // from a working run, one setting that would make it too large is refused and changes nothing
  const ok = await open('/toy?backend=cpu&gLayers=4&gWidth=512&dLayers=4&dWidth=512&batch=16');
  await waitStatus(ok, (s) => s.backend === 'cpu' && s.losses.d !== null, 120_000);
  await api(ok, 'step', 1);
  const refused = await api(ok, 'set', 'batch', 4096);
  assert.equal(refused.ok, false);
  assert.match(refused.error, /GFLOP/);
  assert.equal(await api(ok, 'get', 'batch'), 16);
  assert.deepEqual([...page.errors, ...ok.errors], []);
  await page.close();
  await ok.close();
});

/** A small seeded PRNG (mulberry32), so a storm can be replayed. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('an interaction storm (fixed seed) leaves the page consistent and the console clean', async () => {
  const seed = Number(process.env.STORM_SEED ?? 20261123);
  const actions = Number(process.env.STORM_ACTIONS ?? 400);
  const random = rng(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const routes = ['/toy?backend=cpu&gWidth=16&dWidth=16&batch=32', '/collapse?backend=cpu&gWidth=16&dWidth=16&batch=32', '/saddle', '/'];
  const sets = [
    ['lrD', () => pick([0.001, 0.01, 1000, -1, 'NaN', 'abc'])], ['batch', () => pick([16, 64, 0, 999999])],
    ['gWidth', () => pick([8, 16, 4096])], ['loss', () => pick(['ns', 'wgan-gp', 'hinge', 'bogus'])],
    ['dist', () => pick(['ring8', 'grid25', 'spiral', 'nope'])], ['kD', () => pick([1, 3, 21])],
    ['seed', () => pick([1, 2, 3])], ['compare', () => pick(['on', 'off'])], ['bPack', () => pick([1, 2, 9])],
    ['views', () => pick(['real,fake', 'heat', ''])],
  ];
  const page = await open(routes[0]);
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null, 120_000);
  const log = [];
  for (let i = 0; i < actions; i++) {
    const r = random();
    let act;
    if (r < 0.15) act = ['play'];
    else if (r < 0.27) act = ['pause'];
    else if (r < 0.4) act = ['step', 1 + Math.floor(random() * 5)];
    else if (r < 0.47) act = ['reset'];
    else if (r < 0.52) act = ['undo'];
    else if (r < 0.55) act = ['goto', pick(routes)];
    else if (r < 0.6) act = ['click', pick(['#play', '#step', '#reset', '#undo'])];
    else { const [k, v] = pick(sets); act = ['set', k, v()]; }
    log.push(act);
    if (act[0] === 'click') {
      const el = page.locator(act[1]);
      if (await el.count() && await el.isEnabled()) await el.click({ timeout: 5_000 });
    } else {
      // fire without waiting for most commands, as fast clicking would; await a few
      const p = page.evaluate(([cmd, args]) => { const r = window.ganPlayground[cmd](...args); return cmd === 'goto' ? r : null; }, [act[0], act.slice(1)]);
      if (act[0] === 'goto' || random() < 0.2) await p;
    }
  }
  // settle: whatever page is up answers, and its status matches what it shows
  await page.waitForTimeout(1_500);
  await api(page, 'pause');
  const s = await status(page);
  if (s.backend) {
    const label = await page.locator('#play').getAttribute('aria-label');
    assert.equal(label, s.running ? 'Pause' : 'Play', JSON.stringify(s));
    if (await page.locator('#stat-step').count()) assert.equal(Number(await page.locator('#stat-step').textContent()), s.step);
  }
  assert.deepEqual(page.errors, [], `seed ${seed}; last actions ${JSON.stringify(log.slice(-10))}`);
  await page.close();
});

test('a saved run loads back; empty, truncated, random, huge, foreign and mismatched files are refused', async () => {
  const page = await open('/toy?backend=cpu&seed=5&gWidth=16&dWidth=16');
  await waitStatus(page, (s) => s.backend === 'cpu' && s.losses.d !== null);
  await api(page, 'step', 15);
  const savedJsd = (await api(page, 'report')).jsd;
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-run').click()]);
  assert.match(download.suggestedFilename(), /^gan-playground-toy-step15\.ganplay$/);
  const fs = await import('node:fs');
  const bytes = fs.readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 8).toString(), 'GANPLAY1');
  // move on: another architecture, a few steps
  await api(page, 'set', 'gWidth', 24);
  await waitStatus(page, (s) => s.losses.d !== null && s.step === 0);
  await api(page, 'step', 3);
  const os = await import('node:os');
  const path = await import('node:path');
  const load = async (name, buffer) => {
    if (buffer.length < 40 << 20) {
      await page.locator('#load-run').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    } else { // playwright takes big files only from disk
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ganplay-')), name);
      fs.writeFileSync(file, buffer);
      await page.locator('#load-run').setInputFiles(file);
    }
  };
  const current = async () => [(await status(page)).step, (await api(page, 'config')).gWidth];
  const bad = {
    'empty.ganplay': [Buffer.alloc(0), /empty/],
    'truncated.ganplay': [bytes.subarray(0, Math.floor(bytes.length / 2)), /ends early/],
    'random.ganplay': [Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)), /not a GAN Playground saved run/],
    'huge.ganplay': [Buffer.alloc(65 * 1024 * 1024 + 1), /more than a saved run can be/],
    'other-demo.ganplay': [Buffer.from(bytes.toString('latin1').replace('toy', 'zoo'), 'latin1'), /“zoo” demo/],
    'other-architecture.ganplay': [Buffer.from(bytes.toString('latin1').replace('gWidth=16', 'gWidth=17'), 'latin1'), /saved generator has tensors of shapes/],
  };
  for (const [name, [buffer, message]] of Object.entries(bad)) {
    const before = await current();
    await load(name, buffer);
    await page.getByText(`Could not load “${name}”`).waitFor();
    const text = (await notices(page)).find((n) => n.includes(name));
    assert.match(text, message, name);
    assert.match(text, /current run is unchanged/);
    assert.deepEqual(await current(), before, `${name} left the run alone`);
    assert.equal((await status(page)).error, null);
  }
  await screenshot(page, 'toy-bad-files');
  await load('good.ganplay', bytes);
  const back = await waitStatus(page, (s) => s.step === 15 && s.losses.d !== null);
  assert.equal((await api(page, 'config')).gWidth, 16);
  assert.equal(back.running, false);
  assert.ok(page.url().includes('gWidth=16'));
  await page.getByText(/Loaded “good.ganplay” at step 15/).waitFor();
  // the same weights: G's fixed-noise samples as far from the data as when it was saved
  await page.waitForFunction((jsd) => window.ganPlayground.report().jsd === jsd, savedJsd, { timeout: 10_000 });
  await api(page, 'step', 2);
  assert.equal((await status(page)).step, 17);
  // and undo goes back to the run before the load
  await api(page, 'undo');
  await waitStatus(page, (s) => s.step === 3);
  assert.equal((await api(page, 'config')).gWidth, 24);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Play or Pause pressed while a run is being built (a preset, a setting, Reset: a round trip to
// the training worker) used to be dropped: the new run started as the page was when the rebuild
// began. Both calls below run in one task, before the rebuild can land.
for (const [path, ready] of [
  ['/toy?backend=cpu&gWidth=16&dWidth=16', (s) => s.backend === 'cpu' && s.losses.d !== null],
  ['/collapse?backend=cpu&gWidth=16&dWidth=16&batch=64', (s) => s.backend === 'cpu' && s.losses.d !== null],
  ['/digits?backend=cpu&width=0.0625&batch=16', (s) => s.backend === 'cpu' && s.adapter.includes('Worker')],
]) {
  test(`${path.split('?')[0]}: Play, Pause or Step pressed while the run is being rebuilt is kept`, async () => {
    const page = await open(path);
    await waitStatus(page, ready, 120_000);
    await page.evaluate(() => { window.ganPlayground.reset(); window.ganPlayground.play(); });
    let s = await waitStatus(page, (s) => s.running && s.step > 3 && s.error === null, 60_000);
    assert.equal(s.metrics.inWorker, 1, 'the run trains in the worker');
    await page.evaluate(async () => {
      const built = window.ganPlayground.reset(); // while playing
      window.ganPlayground.pause();
      await built;
    });
    await page.waitForTimeout(1000);
    s = await status(page);
    assert.equal(s.running, false, 'Pause during the rebuild wins');
    assert.equal(s.step, 0, 'the new run has not trained');
    // and steps asked for during a rebuild are taken by the new run
    const stepped = await page.evaluate(() => { window.ganPlayground.reset(); return window.ganPlayground.step(3); });
    assert.equal(stepped, true, 'the step promise resolves true');
    s = await status(page);
    assert.equal(s.step, 3, 'the new run took the 3 steps');
    assert.equal(s.running, false);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
