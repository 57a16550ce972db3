// Benchmark (not a test): steps/s and fps of /toy (or --route /digits) per backend in headless
// chromium, measured side by side in one run. Usage: node bench/bench.mjs [--seconds 15] [--query "gWidth=64"]
// [--preset ganlab-clusters] (a preset from the page's menu, applied through the menu itself:
// ganlab-clusters is GAN Lab's default setting, for comparison with its 19.4 iterations/s)
// Prints one row per backend (--json: one JSON line, for bench/digits_vs_torch.sh); figures in
// README/docs come from this script.
import { launch, serve, openPage, waitStatus } from '../tests/browser/harness.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const seconds = Number(arg('seconds', 15));
const query = arg('query', '');
const backends = arg('backends', 'cpu,webgpu').split(',');
const preset = arg('preset', '');
const route = arg('route', '/toy');
/** The page has drawn its first frame: the 2-D labs show losses at once, /digits its sample grid. */
const started = (page) => page.waitForFunction(() => { const s = window.ganPlayground?.status(); return s && s.backend !== null && (s.losses.d !== null || window.ganPlayground.report()?.samplesDrawn > 0); }, null, { timeout: 180_000 });

const server = await serve();
const browser = await launch();
const rows = [];
try {
  for (const backend of backends) {
    const t0 = Date.now();
    const page = await openPage(browser, `${server.url}${route}?backend=${backend}&${query}`);
    await started(page);
    if (preset) {
      await page.locator('#preset').selectOption(preset);
      await page.evaluate((b) => window.ganPlayground.set('backend', b), backend);
      await page.evaluate(() => window.ganPlayground.reset());
      await waitStatus(page, (s) => s.backend !== null && s.losses.d !== null && s.step === 0, 180_000);
    }
    const ready = await page.evaluate(() => window.ganPlayground.status());
    const startupMs = Date.now() - t0;
    await page.evaluate(() => window.ganPlayground.step(1)); // compile kernels before timing
    await page.evaluate(() => window.ganPlayground.play());
    const start = await page.evaluate(() => ({ step: window.ganPlayground.status().step, t: performance.now() }));
    const fpsSamples = [];
    const msPerStep = []; // the last frame's training + readback time over its step count
    const drawMs = []; // the last frame's drawing time, where the page reports it (/toy)
    for (let i = 0; i < seconds; i++) {
      await page.waitForTimeout(1000);
      const s = await page.evaluate(() => window.ganPlayground.status());
      fpsSamples.push(s.fps);
      const m = s.metrics ?? {};
      if (m.stepsPerFrame > 0) msPerStep.push(m.trainMs / m.stepsPerFrame);
      if (m.drawMs > 0) drawMs.push(m.drawMs);
    }
    msPerStep.sort((a, b) => a - b);
    drawMs.sort((a, b) => a - b);
    const end = await page.evaluate(() => ({ step: window.ganPlayground.status().step, t: performance.now() }));
    await page.evaluate(() => window.ganPlayground.pause());
    const stepsPerSec = ((end.step - start.step) * 1000) / (end.t - start.t);
    const fps = fpsSamples.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, fpsSamples.length - 1);
    rows.push({ backend: ready.backend, adapter: ready.adapter, startupMs, steps: end.step - start.step, stepsPerSec: +stepsPerSec.toFixed(1), fps: +fps.toFixed(1),
      msPerStep: msPerStep.length ? `${msPerStep[0].toFixed(2)}–${msPerStep.at(-1).toFixed(2)}` : '–',
      drawMsMedian: drawMs.length ? +drawMs[drawMs.length >> 1].toFixed(1) : '–' });
    if (page.errors.length) console.error(page.errors);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
if (process.argv.includes('--json')) { console.log(JSON.stringify(rows)); process.exit(0); }
console.log(`${route} ${preset ? `preset ${preset} ` : ''}${query || (route === '/toy' ? '(defaults: G 2→64→64→2, D 2→64→64→1, batch 256, Adam, 1:1)' : '(defaults)')}, ${seconds} s per backend`);
console.table(rows);
