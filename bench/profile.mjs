// Benchmark (not a test): CPU profile of the page while training, self time by function (CDP
// Profiler, 6 s of play). Usage: node bench/profile.mjs [route] [preset] [rows]. For names, profile a
// build with data-wasm-opt="0" in index.html (DIST=<that dist>); docs/backends.md, docs/collapse.md.
// NO_WORKER=1 deletes window.Worker first, so a CPU run trains on the page's thread, where the
// profiler sees it (a worker's own thread is not profiled here).
import { launch, serve, openPage, waitStatus } from '../tests/browser/harness.mjs';
const route = process.argv[2] || '/toy?backend=cpu';
const preset = process.argv[3] || '';
const server = await serve();
const browser = await launch();
const page = await openPage(browser, `${server.url}${route}`, { init: process.env.NO_WORKER ? () => { delete window.Worker; } : null });
await waitStatus(page, (s) => s.backend !== null && (s.losses.d !== null || location.pathname.startsWith('/digits')), 120000);
if (preset) { await page.locator('#preset').selectOption(preset); await page.evaluate(() => window.ganPlayground.set('backend','cpu')); await page.evaluate(() => window.ganPlayground.reset()); await waitStatus(page, (s) => s.backend !== null && s.step === 0, 120000); }
const cdp = await page.context().newCDPSession(page);
await page.evaluate(() => window.ganPlayground.play());
await page.waitForTimeout(3000);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.waitForTimeout(6000);
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dts = profile.timeDeltas; let total = 0;
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}`; self.set(k, (self.get(k) || 0) + dts[i]); total += dts[i]; });
if (process.env.INCLUSIVE) {
  // total time under each function (a function counted once per sample even when recursive)
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => { const seen = new Set(); for (let at = id; at !== undefined; at = parent.get(at)) { const n = byId.get(at); const k = `${n.callFrame.functionName || '(anon)'}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) || 0) + dts[i]); } } });
  const re = new RegExp(process.env.INCLUSIVE);
  for (const [k, v] of [...incl.entries()].filter(([k]) => re.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((v / total * 100).toFixed(1).padStart(5) + '%  ' + k.slice(0, 150));
  console.log('---- self');
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, +(process.argv[4] || 25));
for (const [k, v] of rows) console.log((v / total * 100).toFixed(1).padStart(5) + '%  ' + k.slice(0, 120));
await browser.close(); await server.close();
