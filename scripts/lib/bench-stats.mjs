// Small statistics helpers for scripts/bench.mjs.

/** Nearest-rank percentile (p in 0..100) of the finite values; null when there are none. */
export function percentile(values, p) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const rank = Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
  return xs[rank];
}

export function mean(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function sum(values) {
  return values.filter((v) => Number.isFinite(v)).reduce((a, b) => a + b, 0);
}

/** Round to `digits` decimals, keeping null / non-finite as null. */
export function round(v, digits = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

/** { p50, p95, mean } of a list, rounded. */
export function summary(values, digits = 1) {
  return { p50: round(percentile(values, 50), digits), p95: round(percentile(values, 95), digits), mean: round(mean(values), digits) };
}

/**
 * Least-squares slope of y over x (units of y per unit of x); null with fewer than 2 distinct x.
 * @param {{x: number, y: number}[]} points
 */
export function slope(points) {
  const ps = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (ps.length < 2) return null;
  const mx = mean(ps.map((p) => p.x));
  const my = mean(ps.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const p of ps) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a, b, digits = 2) {
  if (a === null || b === null || a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b, digits);
}
