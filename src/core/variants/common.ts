import type { ParamSpec } from '../params';
import type { Qkv } from '../qkv';
import type { Variant, VariantContext } from './types';

/** Float64 dot product of row i of a and row j of b (both [rows x d]). */
export function dotRows(a: Float32Array | Float64Array, i: number, b: Float32Array | Float64Array, j: number, d: number): number {
  let acc = 0;
  for (let c = 0; c < d; c++) acc += (a[i * d + c] as number) * (b[j * d + c] as number);
  return acc;
}

/** The keys query i may use under a mask predicate, in increasing order. */
export function allowedKeys(n: number, allowed: (j: number) => boolean): number[] {
  const keys: number[] = [];
  for (let j = 0; j < n; j++) if (allowed(j)) keys.push(j);
  return keys;
}

/**
 * Masked softmax weights of row i in float64: a_ij = exp(s_ij) / sum over allowed j', with
 * s_ij = score(j) (q_i·k_j/sqrt(d) unless given). An empty row is all zeros.
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
    const e = Math.exp((s[t] as number) - m);
    w[keys[t] as number] = e;
    sum += e;
  }
  for (const j of keys) w[j] = (w[j] as number) / sum;
  return w;
}

export function scaledDot(qkv: Qkv, i: number): (j: number) => number {
  const scale = 1 / Math.sqrt(qkv.d);
  return (j) => dotRows(qkv.q, i, qkv.k, j, qkv.d) * scale;
}

/** Row weights of a plain mask variant: softmax of q_i·k_j/sqrt(d) over the allowed keys. */
export function maskRowWeights(qkv: Qkv, i: number, allowed: (j: number) => boolean): Float64Array {
  return softmaxRow(qkv.n, allowedKeys(qkv.n, allowed), scaledDot(qkv, i));
}

/** o_i = sum_j a_ij v_j for each requested row, from a float64 weight row per query. */
export function outputsFromWeights(qkv: Qkv, rows: readonly number[], weights: (i: number) => Float64Array): Float64Array {
  const { d, v } = qkv;
  const out = new Float64Array(rows.length * d);
  rows.forEach((i, r) => {
    const w = weights(i);
    for (let j = 0; j < w.length; j++) {
      const a = w[j] as number;
      if (a === 0) continue;
      for (let c = 0; c < d; c++) out[r * d + c] += a * (v[j * d + c] as number);
    }
  });
  return out;
}

/** Counts the mask entries row by row with a per-row count in O(1). */
export function sumRows(n: number, rowCount: (i: number) => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += rowCount(i);
  return total;
}

export const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** Mathematical modulo (non-negative for positive b). */
export const mod = (a: number, b: number): number => ((a % b) + b) % b;

export function intParam(ctx: VariantContext, name: string): number {
  return ctx.params[name] as number;
}

export function stringParam(ctx: VariantContext, name: string): string {
  return ctx.params[name] as string;
}

/** A one-sided window parameter shared by the Longformer variants. */
export const windowParam: ParamSpec = {
  name: 'window',
  kind: 'int',
  description: 'one-sided window w1: keys within w1 positions (times the dilation) of the query',
  default: 32,
  min: 1,
  max: 65536,
};

/**
 * The map fields of variants whose effective weights cover every visible key (linear attention,
 * AFT, RWKV): their support is the causal triangle, or everything when bidirectional.
 */
export const denseSupport: Pick<Variant, 'maskType' | 'maskColumns' | 'allowed' | 'weightsAreDistribution'> = {
  maskType: 'effective_support',
  maskColumns: (ctx) => ctx.n,
  allowed: (ctx, i, j) => !ctx.causal || j <= i,
  weightsAreDistribution: true,
};
