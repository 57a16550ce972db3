// The soak's steps/s verdict, apart from the browser so that tests/browser/soak-stats.test.mjs
// can check it on fixed series. Per-period rates on these 2-core machines jitter by 15–70 %
// with no trend (docs/robustness.md), so "the later half's median is 10 % below the earlier
// half's" alone fails on noise now and then (it did once in a full ./scripts/test run: −19.6 %
// with halves that overlap almost entirely). A slow-down (a leak, work that grows per frame) is
// a trend: it puts most later periods below most earlier ones. So a decline fails only when it
// is both beyond 10 % and beyond chance: an exact one-sided Mann–Whitney test of "later periods
// are slower", p < 0.01.

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Mann–Whitney U of `late` against `early`: pairs where the later period is faster (ties ½). */
const uStatistic = (early, late) => {
  let u = 0;
  for (const l of late) for (const e of early) u += l > e ? 1 : l === e ? 0.5 : 0;
  return u;
};

/** How many of the C(m + n, m) orderings of m later and n earlier periods give each U, under
 *  "no trend" (all orderings equally likely): the largest period is either a later one, which
 *  beats all n earlier ones, or an earlier one, which no later one beats. Polynomial, so the
 *  30-minute soak's 14 + 14 periods cost no more than the 4-minute one's 7 + 7. */
function uCounts(m, n, memo = new Map()) {
  if (m === 0 || n === 0) return [1];
  const key = `${m},${n}`;
  if (!memo.has(key)) {
    const laterLargest = uCounts(m - 1, n, memo), earlierLargest = uCounts(m, n - 1, memo);
    const counts = new Array(m * n + 1).fill(0);
    laterLargest.forEach((c, u) => { counts[u + n] += c; });
    earlierLargest.forEach((c, u) => { counts[u] += c; });
    memo.set(key, counts);
  }
  return memo.get(key);
}

/** One-sided p of U ≤ observed under "no trend": exact for untied rates (measured rates are
 *  ratios of float timings, so ties do not occur in practice); a tie counts ½ in U and U is
 *  rounded down, an approximation of the tied permutation distribution. */
function exactP(early, late) {
  const counts = uCounts(late.length, early.length);
  const observed = Math.floor(uStatistic(early, late) + 1e-9);
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.slice(0, observed + 1).reduce((a, b) => a + b, 0) / total;
}

/** Later half of the post-warm-up periods against the earlier half (the middle one, if the
 *  count is odd, in neither). ok unless the median fell by 10 % or more and p < 0.01. */
export function declineVerdict(periods) {
  const half = periods.length >> 1;
  const early = periods.slice(0, half), late = periods.slice(periods.length - half);
  const [before, after] = [median(early), median(late)];
  const change = (100 * (after - before)) / before;
  const p = exactP(early, late);
  return { early: before, late: after, change, p, ok: !(change <= -10 && p < 0.01) };
}
