// Small statistics shared by the load benchmark's parts.
'use strict';

function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

/** Nearest-rank percentile of a list (p in 0..100). */
function percentile(xs, p) {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function median(xs) {
  return percentile(xs, 50);
}

/** { min, median, max } of the per-round values. */
function spread(xs) {
  const s = sorted(xs);
  return { min: s[0], median: median(s), max: s[s.length - 1], values: xs };
}

const MIB = 2 ** 20;

module.exports = { percentile, median, spread, MIB };
