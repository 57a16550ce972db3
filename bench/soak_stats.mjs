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

/** Exact one-sided p of U ≤ observed under "no trend": every way of choosing which of the
 *  pooled periods are the later ones is equally likely (C(14, 7) = 3,432 for 15 periods). */
function exactP(early, late) {
  const pooled = [...early, ...late], n = pooled.length, k = late.length;
  const observed = uStatistic(early, late);
  let atMost = 0, total = 0;
  const pick = (start, chosen) => {
    if (chosen.length === k) {
      const rest = pooled.filter((_, i) => !chosen.includes(i));
      total += 1;
      if (uStatistic(rest, chosen.map((i) => pooled[i])) <= observed + 1e-9) atMost += 1;
      return;
    }
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return atMost / total;
}

/** Later half of the post-warm-up periods against the earlier half (the middle one, if the
 *  count is odd, in neither). ok unless the median fell by 10 % or more and p < 0.01. */
export function declineVerdict(periods) {
  const half = periods.length >> 1;
  const early = periods.slice(0, half), late = periods.slice(periods.length - half);
  const change = (100 * (median(late) - median(early))) / median(early);
  const p = exactP(early, late);
  return { early: median(early), late: median(late), change, p, ok: !(change <= -10 && p < 0.01) };
}
