// Benchmark (not a test): how busy the page's main thread is while training (CDP Performance
// metrics over 8 s of play). Usage: node bench/main_thread.mjs [route, default /toy?backend=cpu] [preset]
// docs/backends.md cites its TaskDuration figures.
import { launch, serve, openPage, waitStatus } from '../tests/browser/harness.mjs';
const route = process.argv[2] || '/toy?backend=cpu';
const preset = process.argv[3] || '';
const server = await serve();
const browser = await launch();
const page = await openPage(browser, `${server.url}${route}`);
await waitStatus(page, (s) => s.backend !== null && s.losses.d !== null, 120000);
if (preset) { await page.locator('#preset').selectOption(preset); await page.evaluate(() => window.ganPlayground.set('backend','cpu')); await page.evaluate(() => window.ganPlayground.reset()); await waitStatus(page, (s) => s.backend !== null && s.step === 0, 120000); }
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
await page.evaluate(() => window.ganPlayground.play());
await page.waitForTimeout(3000);
const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
const a = await m(); const s0 = await page.evaluate(() => window.ganPlayground.status());
await page.waitForTimeout(8000);
const b = await m(); const s1 = await page.evaluate(() => window.ganPlayground.status());
const dt = b.Timestamp - a.Timestamp;
for (const k of ['TaskDuration','ScriptDuration','LayoutDuration','RecalcStyleDuration']) console.log(k, ((b[k]-a[k])/dt*100).toFixed(1)+'%');
console.log('steps/s', ((s1.step - s0.step)/dt).toFixed(1), 'fps', s1.fps, JSON.stringify(s1.metrics));
await browser.close(); await server.close();
