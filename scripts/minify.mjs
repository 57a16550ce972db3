// Trunk post-build step (release builds): minifies the wasm-bindgen JS glue and the snippet
// files with terser, then rewrites their subresource-integrity hashes in index.html, since
// trunk computed those for the unminified files. Trunk's own `minify` covers HTML and CSS only.
// Measured in docs/build.md ("Ops the page does not need"): the glue 16.7 → 13.7 KB gzipped.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) throw new Error('minify.mjs: no TRUNK_STAGING_DIR (run it as a trunk post_build hook)');
const htmlFile = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlFile, 'utf8');
const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

// the glue at the top level and wasm-bindgen's snippets below snippets/
const jsFiles = (d, deep) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
  const p = path.join(d, e.name);
  if (e.isDirectory()) return deep || e.name === 'snippets' ? jsFiles(p, true) : [];
  return e.name.endsWith('.js') ? [p] : [];
});

let before = 0;
let after = 0;
for (const file of jsFiles(dir, false)) {
  const source = fs.readFileSync(file);
  const out = await minify(source.toString('utf8'), { module: true, compress: true, mangle: true });
  if (!out.code) throw new Error(`minify.mjs: terser gave nothing for ${file}`);
  const [oldHash, newHash] = [sri(source), sri(Buffer.from(out.code, 'utf8'))];
  // every file trunk links carries an integrity hash; a file it does not link is left alone
  if (!html.includes(oldHash)) continue;
  html = html.split(oldHash).join(newHash);
  fs.writeFileSync(file, out.code);
  before += source.length;
  after += out.code.length;
}
fs.writeFileSync(htmlFile, html);
console.log(`minify.mjs: JS ${before} → ${after} bytes`);
