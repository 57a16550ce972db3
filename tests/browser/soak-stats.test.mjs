// The soak's steps/s verdict (bench/soak_stats.mjs) on fixed series: no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declineVerdict } from '../../bench/soak_stats.mjs';

test('soak verdict: a steady decline fails, noise without a trend passes', () => {
  // Every later period slower than every earlier one: the smallest p there is, 1 / C(14, 7).
  const falling = Array.from({ length: 15 }, (_, i) => 50 - 1.5 * i);
  const f = declineVerdict(falling);
  assert.ok(Math.abs(f.p - 1 / 3432) < 1e-12, `p ${f.p}`);
  assert.ok(f.change < -10 && !f.ok, JSON.stringify(f));

  // A leak-like slow-down under jitter as large as these machines show (±30 %, fixed pattern).
  const jitter = [1.3, 0.8, 1.1, 0.7, 1.2, 0.9, 1.0, 1.25, 0.75, 1.05, 0.85, 1.15, 0.95, 1.1, 0.8];
  const leaking = jitter.map((j, i) => j * (60 - 3 * i));
  const l = declineVerdict(leaking);
  assert.ok(!l.ok && l.p < 0.01, JSON.stringify(l));

  // The same jitter with no trend passes, and so does a rise.
  assert.ok(declineVerdict(jitter.map((j) => 40 * j)).ok);
  assert.ok(declineVerdict(falling.slice().reverse()).ok);

  // The 15 post-warm-up periods of the run that failed the old median-only check in a full
  // ./scripts/test (2026-12-03, /toy on the CPU): medians −19.6 %, halves interleaved.
  const measured = [45.7, 32.2, 48.0, 34.2, 54.1, 53.9, 43.6, 42.4, 45.5, 29.4, 26.1, 46.6, 54.0, 36.7, 32.4];
  const m = declineVerdict(measured);
  assert.ok(m.change < -10, JSON.stringify(m));
  assert.ok(m.p > 0.01 && m.ok, JSON.stringify(m));
});
