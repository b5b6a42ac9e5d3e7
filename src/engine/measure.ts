/** Small numeric helpers of the measurement rules. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ||a - b||_F / ||b||_F (or ||a - b||_F when b is all zeros); a non-finite entry gives Infinity. */
export function relativeFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    if (!Number.isFinite(x)) return Infinity;
    const diff = x - b[i];
    num += diff * diff;
    den += b[i] * b[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

/** KL(p || q) for distributions over the same support (terms with p = 0 contribute 0). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let kl = 0;
  for (let j = 0; j < p.length; j++) {
    const pj = p[j];
    if (pj > 0) kl += pj * Math.log(pj / Math.max(q[j], 1e-300));
  }
  return kl;
}

/** Rows of a [rows x d] array picked out of a [n x d] one. */
export function pickRows(a: Float32Array, rows: readonly number[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((i, r) => out.set(a.subarray(i * d, (i + 1) * d), r * d));
  return out;
}

/** Rows the correctness gate and the error figures use: all of them up to `limit`, else evenly spread, first and last included. */
export function checkRows(n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const rows = new Set<number>([0, n - 1]);
  for (let r = 0; rows.size < limit; r++) rows.add(Math.floor((r * (n - 1)) / (limit - 1)));
  return [...rows].sort((a, b) => a - b);
}
