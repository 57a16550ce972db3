// Trunk post-build hook: allows trunk's inline loader script (the only inline script) in the
// page's Content-Security-Policy by its SHA-256, so the policy needs no 'unsafe-inline'.
// Fails the build when the placeholder or the script is missing, rather than ship a page
// whose policy blocks its own loader.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) throw new Error('csp.mjs: no TRUNK_STAGING_DIR (run it as a trunk post_build hook)');
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
if (inline.length !== 1) throw new Error(`csp.mjs: expected one inline script, found ${inline.length}`);
if (!html.includes("'sha256-TRUNK_LOADER_HASH'")) throw new Error('csp.mjs: no TRUNK_LOADER_HASH placeholder in index.html');
const hash = crypto.createHash('sha256').update(inline[0], 'utf8').digest('base64');
html = html.replace("'sha256-TRUNK_LOADER_HASH'", `'sha256-${hash}'`);
fs.writeFileSync(file, html);
console.log(`csp.mjs: loader script allowed by sha256-${hash}`);
