// Benchmark (not a test): how responsive /saddle is while the start point is dragged, in
// headless chromium. Per configuration: the page's own work per drag frame (recompute +
// redraw, from status().metrics) and the gaps between animation frames (what a user feels).
// Usage: node bench/saddle_drag.mjs [--drags 5]
import { launch, serve, openPage } from '../tests/browser/harness.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const drags = Number(arg('drags', 5));
const configs = {
  'xy, 4 rules, 300 steps': 'methods=flow,sim,alt,eg&steps=300',
  'xy, 8 rules, 5000 steps': 'methods=flow,sim,alt,ogda,eg,consensus,momentum,adam&steps=5000',
  'dirac + noise, 8 rules, 1000 steps': 'game=dirac&noise=0.5&methods=flow,sim,alt,ogda,eg,consensus,momentum,adam&steps=1000',
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const server = await serve();
const browser = await launch();
try {
  console.log('| configuration | drag-frame work max (ms) | frame gap p50 / p95 / max (ms) | frames |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, query] of Object.entries(configs)) {
    const page = await openPage(browser, `${server.url}/saddle?${query}`);
    await page.waitForFunction(() => window.ganPlayground.report()?.methods?.length > 0);
    const box = await page.locator('#saddle-plane').boundingBox();
    const gaps = [];
    let work = 0;
    for (let d = 0; d < drags; d++) {
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3);
      await page.mouse.down();
      gaps.push(...await page.evaluate(async (box) => {
        const canvas = document.getElementById('saddle-plane');
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const gaps = [];
        let last = await frame();
        for (let i = 0; i <= 40; i++) {
          canvas.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, pointerId: 1, clientX: box.x + box.width * (0.7 - i * 0.01), clientY: box.y + box.height * (0.3 + i * 0.008) }));
          const t = await frame();
          gaps.push(t - last);
          last = t;
        }
        return gaps;
      }, box));
      work = Math.max(work, (await page.evaluate(() => window.ganPlayground.status())).metrics.dragFrameMaxMs);
      await page.mouse.up();
      await page.waitForTimeout(300);
    }
    console.log(`| ${name} | ${work.toFixed(1)} | ${pct(gaps, 0.5).toFixed(1)} / ${pct(gaps, 0.95).toFixed(1)} / ${Math.max(...gaps).toFixed(1)} | ${gaps.length} |`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
