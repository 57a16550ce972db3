// Benchmark (not a test): the mode-collapse lab (/collapse) training a preset's A/B pair in
// headless chromium. Usage: node bench/collapse.mjs [--preset packing] [--dist ring8]
// [--backend cpu] [--seconds 180] [--every 10] [--screenshot docs/screenshot-collapse.png]. Prints, every `every` seconds, the step,
// iterations/s (one iteration trains A and B once each), fps and both runs' mode metrics;
// the speed figure in docs/collapse.md comes from this script.
import { launch, serve, openPage, waitStatus } from '../tests/browser/harness.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const preset = arg('preset', 'packing');
const dist = arg('dist', 'ring8');
const backend = arg('backend', 'cpu');
const seconds = Number(arg('seconds', 180));
const every = Number(arg('every', 10));
const shot = arg('screenshot', '');

const server = await serve();
const browser = await launch();
try {
  const page = await openPage(browser, `${server.url}/collapse?backend=${backend}&dist=${dist}`, { width: 1280, height: 900 });
  await waitStatus(page, (s) => s.backend !== null && s.losses.d !== null, 180_000);
  await page.locator('#preset').selectOption(preset);
  await waitStatus(page, (s) => s.losses.d !== null && s.step === 0, 180_000);
  await page.evaluate(() => window.ganPlayground.play());
  const t0 = Date.now();
  const fmt = (m) => (m ? `${m.captured}/${m.modes} ${m.hqPercent.toFixed(1)} % HQ KL ${m.reverseKl.toFixed(2)}` : '–');
  let last = { step: 0, t: t0 };
  while (Date.now() - t0 < seconds * 1000) {
    await page.waitForTimeout(every * 1000);
    const s = await page.evaluate(() => window.ganPlayground.status());
    const r = await page.evaluate(() => window.ganPlayground.report());
    const now = Date.now();
    const rate = ((s.step - last.step) * 1000) / (now - last.t);
    last = { step: s.step, t: now };
    console.log(`${((now - t0) / 1000).toFixed(0)} s  step ${s.step}  ${rate.toFixed(1)} it/s  ${s.fps.toFixed(0)} fps  A ${fmt(r.a)}  B ${fmt(r.b)}`);
  }
  const s = await page.evaluate(() => window.ganPlayground.status());
  console.log(`${preset} on ${dist}, ${s.backend} (${s.adapter}): ${((s.step * 1000) / (Date.now() - t0)).toFixed(1)} iterations/s over ${seconds} s`);
  if (shot) {
    await page.evaluate(() => window.ganPlayground.pause());
    await page.waitForTimeout(1500);
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: 900 } });
  }
  if (page.errors.length) console.log('page errors:', page.errors);
} finally {
  await browser.close();
  await server.close();
}
