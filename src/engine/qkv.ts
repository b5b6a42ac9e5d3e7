import { hashInts, Rng } from './rng';
import type { Token } from './tokens';

/** Queries, keys and values of one head, each row-major float32 [n x d]. */
export interface Qkv {
  n: number;
  d: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/**
 * Synthetic Q, K, V for a token sequence, deterministic in (tokens, d, seed):
 *   x_i = e(token_i) + PE(i),  e(t) ~ N(0, I_d) seeded by (seed, t),  PE = sinusoidal positions;
 *   Q = x W_q, K = x W_k, V = x W_v with W ~ N(0, 1/d) seeded by (seed, which).
 * The same token therefore always starts from the same vector, and positions break ties, as in a
 * transformer's first layer; scores q·k/sqrt(d) have a spread of a few units, so softmax rows are
 * neither uniform nor one-hot.
 */
export function syntheticQkv(tokens: readonly Token[], d: number, seed: number): Qkv {
  const n = tokens.length;
  const x = new Float64Array(n * d);
  const embeddingCache = new Map<number, Float32Array>();
  for (let i = 0; i < n; i++) {
    const id = tokens[i].id;
    let e = embeddingCache.get(id);
    if (!e) {
      e = new Rng(hashInts(seed, 0x7e1, id)).gaussianArray(d);
      embeddingCache.set(id, e);
    }
    for (let c = 0; c < d; c++) x[i * d + c] = e[c] + sinusoidalPosition(i, c, d);
  }
  const project = (which: number): Float32Array => {
    const w = new Rng(hashInts(seed, 0x9a0, which)).gaussianArray(d * d, 1 / Math.sqrt(d));
    return matmul(x, n, d, w, d);
  };
  return { n, d, q: project(1), k: project(2), v: project(3) };
}

/** PE(i, c): sin(i / 10000^(2k/d)) for c = 2k, cos(...) for c = 2k + 1. */
export function sinusoidalPosition(i: number, c: number, d: number): number {
  const k = Math.floor(c / 2);
  const angle = i / Math.pow(10000, (2 * k) / d);
  return c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
}

function matmul(a: Float64Array, rows: number, inner: number, b: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    acc.fill(0);
    for (let t = 0; t < inner; t++) {
      const av = a[i * inner + t];
      for (let c = 0; c < cols; c++) acc[c] += av * b[t * cols + c];
    }
    for (let c = 0; c < cols; c++) out[i * cols + c] = acc[c];
  }
  return out;
}

/**
 * The second input set used when timing: the same arrays scaled by (1 + 2^-10), so that every
 * timed run uploads different bytes (no backend can serve a cached result) at the same cost.
 */
export function alternateQkv(base: Qkv): Qkv {
  const scale = (a: Float32Array) => a.map((x) => x * (1 + 1 / 1024));
  return { n: base.n, d: base.d, q: scale(base.q), k: scale(base.k), v: scale(base.v) };
}
