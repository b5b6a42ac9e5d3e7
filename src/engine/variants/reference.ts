import { LIMITS } from '../../model/limits';
import type { IntParam } from '../../model/params';
import type { Qkv } from '../qkv';
import type { VariantContext } from './variant';

/**
 * Float64 building blocks of the references and effective weights, and the pieces every mask
 * variant shares (softmax over its allowed keys).
 */

/** Float64 dot product of row i of a and row j of b (both [rows x d]). */
export function dotRows(a: Float32Array | Float64Array, i: number, b: Float32Array | Float64Array, j: number, d: number): number {
  let acc = 0;
  for (let c = 0; c < d; c++) acc += a[i * d + c] * b[j * d + c];
  return acc;
}

/**
 * Masked softmax weights of row i in float64: a_ij = exp(s_ij) / sum over allowed j', with
 * s_ij = score(j). An empty row is all zeros.
 */
export function softmaxRow(n: number, keys: readonly number[], score: (j: number) => number): Float64Array {
  const w = new Float64Array(n);
  if (keys.length === 0) return w;
  let m = -Infinity;
  const s = keys.map((j) => {
    const v = score(j);
    m = Math.max(m, v);
    return v;
  });
  let sum = 0;
  for (let t = 0; t < keys.length; t++) {
    const e = Math.exp(s[t] - m);
    w[keys[t]] = e;
    sum += e;
  }
  for (const j of keys) w[j] = w[j] / sum;
  return w;
}

/** q_i·k_j/sqrt(d) as a function of j. */
export function scaledDot(qkv: Qkv, i: number): (j: number) => number {
  const scale = 1 / Math.sqrt(qkv.d);
  return (j) => dotRows(qkv.q, i, qkv.k, j, qkv.d) * scale;
}

/** o_i = sum_j a_ij v_j for each requested row, from a float64 weight row per query. */
export function outputsFromWeights(qkv: Qkv, rows: readonly number[], weights: (i: number) => Float64Array): Float64Array {
  const { d, v } = qkv;
  const out = new Float64Array(rows.length * d);
  rows.forEach((i, r) => {
    const w = weights(i);
    for (let j = 0; j < w.length; j++) {
      const a = w[j];
      if (a === 0) continue;
      for (let c = 0; c < d; c++) out[r * d + c] = out[r * d + c] + a * v[j * d + c];
    }
  });
  return out;
}

/** Rows of a float64 [n x d] array, for the requested rows. */
export function pickReferenceRows(all: Float64Array, rows: readonly number[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((i, r) => out.set(all.subarray(i * d, (i + 1) * d), r * d));
  return out;
}

/** Mathematical modulo (non-negative for positive b). */
export const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** Sum over the rows of a per-row count computed in O(1): a mask's nnz. */
export function countPairs(n: number, rowCount: (i: number) => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += rowCount(i);
  return total;
}

type Allowed<V> = (ctx: VariantContext<V>, i: number, j: number) => boolean;

function allowedKeys<V>(ctx: VariantContext<V>, allowed: Allowed<V>, i: number): number[] {
  const keys: number[] = [];
  for (let j = 0; j < ctx.n; j++) if (allowed(ctx, i, j)) keys.push(j);
  return keys;
}

/** The effective weights of a mask variant: softmax of q_i·k_j/sqrt(d) over the allowed keys. */
export function softmaxWeights<V>(allowed: Allowed<V>, attribution = 'softmax probability a_ij over the allowed keys') {
  return {
    row: (ctx: VariantContext<V>, qkv: Qkv, i: number) => softmaxRow(qkv.n, allowedKeys(ctx, allowed, i), scaledDot(qkv, i)),
    distribution: true,
    attribution,
  };
}

/** The float64 reference of a mask variant: exact softmax attention over the allowed keys. */
export function softmaxReference<V>(allowed: Allowed<V>) {
  const weights = softmaxWeights(allowed);
  return (ctx: VariantContext<V>, qkv: Qkv, rows: readonly number[]) => outputsFromWeights(qkv, rows, (i) => weights.row(ctx, qkv, i));
}

/**
 * The map of variants whose effective weights cover every visible key (linear attention, AFT,
 * RWKV): their support is the causal triangle, or everything when bidirectional.
 */
export function denseSupport<V>() {
  return { type: 'effective_support' as const, allowed: (ctx: VariantContext<V>, i: number, j: number) => !ctx.causal || j <= i };
}

/** A one-sided window parameter shared by the Longformer variants. */
export const windowParam: IntParam = {
  kind: 'int',
  description: 'one-sided window w1: keys within w1 positions (times the dilation) of the query',
  default: 32,
  min: 1,
  max: LIMITS.maxTokens,
};
