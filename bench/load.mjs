// Benchmark (not a test): how fast a page is ready, and how much it transfers. Prints, per
// route and backend, the time from navigation start to the first frame drawn (the page's
// performance mark "gan-playground:first-frame"), median of --runs fresh loads with an empty
// cache; then the transfer size of the wasm, JS and CSS the page loads, raw and gzipped
// (gzip -9, what a static host serves). Goals (issue 7): ≤ 1.5 s to the first frame,
// ≤ 3 MB gzipped. Usage: node bench/load.mjs [--runs 5] [--routes /toy,/saddle]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, serve, DIST } from '../tests/browser/harness.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const runs = Number(arg('runs', 5));
const routes = arg('routes', '/toy?backend=cpu,/toy?backend=webgpu,/collapse?backend=cpu,/saddle').split(',');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serve();
const browser = await launch();
try {
  console.log('| route | first frame, median (ms) | min | max | runs |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const route of routes) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // empty cache
      const page = await context.newPage();
      await page.goto(`${server.url}${route}`);
      const ms = await page.evaluate(() => new Promise((resolve) => {
        const find = () => performance.getEntriesByName('gan-playground:first-frame')[0];
        const poll = () => (find() ? resolve(find().startTime) : setTimeout(poll, 20));
        poll();
      }));
      times.push(ms);
      await context.close();
    }
    console.log(`| ${route} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${runs} |`);
  }
} finally {
  await browser.close();
  await server.close();
}

// what index.html loads: every .wasm, .js and .css in dist/ (snippets included)
const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'examples') walk(p);
    else if (/\.(wasm|js|css)$/.test(e.name)) files.push(p);
  }
};
walk(DIST);
let raw = 0;
let gz = 0;
console.log('\n| file | bytes | gzipped |\n| --- | --- | --- |');
for (const f of files) {
  const bytes = fs.readFileSync(f);
  const zipped = zlib.gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += zipped;
  console.log(`| ${path.relative(DIST, f)} | ${bytes.length} | ${zipped} |`);
}
const mb = (b) => (b / 1e6).toFixed(2);
console.log(`| total | ${mb(raw)} MB | ${mb(gz)} MB |`);
console.log(`transfer goal ≤ 3 MB gzipped: ${gz <= 3e6 ? 'met' : 'NOT met'}`);
