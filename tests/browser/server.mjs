// A small static server for dist/ on loopback, with the single-page-app fallback the routes
// need (/toy serves index.html) and the right MIME type for .wasm. Used by scripts/serve, the
// browser tests and the benchmark. Also importable: start({dir, port}) -> {url, close}.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.gz': 'application/gzip', '.u8': 'application/octet-stream', '.ico': 'image/x-icon',
};

export function start({ dir, port = 0, extra = {}, prefix = '' }) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (extra[url.pathname]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(extra[url.pathname]);
    }
    // a sub-path deployment (a GitHub Pages project site): only URLs under the prefix exist
    let local = url.pathname;
    if (prefix) {
      if (local === prefix) { res.writeHead(301, { location: `${prefix}/` }); return res.end(); }
      if (!local.startsWith(`${prefix}/`)) { res.writeHead(404); return res.end('not found'); }
      local = local.slice(prefix.length);
    }
    let decoded = null;
    try { decoded = decodeURIComponent(local); } catch { /* malformed escapes: the app's not-found page */ }
    let file = decoded === null ? path.join(root, 'index.html') : path.join(root, decoded);
    if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // routes without a file extension are the app's own pages
      if (path.extname(local) === '') file = path.join(root, 'index.html');
      else { res.writeHead(404); return res.end('not found'); }
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': fs.statSync(file).size, 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
  const { url } = await start({ dir: arg('dir', 'dist'), port: Number(arg('port', 8080)), prefix: arg('prefix', '') });
  console.log(`GAN Playground is being served at ${url}/`);
}
