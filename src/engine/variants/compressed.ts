import { enumParam, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import { denseAttention, denseAttentionBytes, rowBlockKernels } from '../kernels/row-blocks';
import type { KernelThis } from '../kernels/kernel-fn';
import { hostVector, qkvArgs } from '../kernels/runner';
import type { Qkv } from '../qkv';
import { dotRows, softmaxRow } from './reference';
import { seededWeights } from './seeded';
import { defineVariant, type VariantContext } from './variant';

/**
 * Memory-compressed attention (Liu et al. 2018) as in tensor2tensor's
 * multihead_self_attention_reduced: memory = [x_0 ; pooled blocks], M = 1 + floor(N/k) slots;
 * slot m >= 1 pools positions (m-1)k .. mk-1 and the tail N mod k is dropped. Causal: slot 0
 * always, slot m >= 1 iff m k <= i (a query never sees its own block); bidirectional: all slots.
 * K and V are pooled directly (T2T pools x before the projections; for a mean the two agree).
 * pool = mean: weights 1/k; pool = conv: k seeded positive weights summing to 1, shared by the
 * channels (a depthwise-shared conv, so the attribution to positions stays exact).
 */
const params = {
  kernel: { kind: 'int', description: 'compression factor k (pooling kernel and stride)', default: 3, min: 1, max: { text: 'N', at: (n: number) => n } },
  pool: enumParam({ description: 'mean: average of the block; conv: seeded positive weights per offset, shared by the channels', default: 'mean', choices: ['mean', 'conv'] }),
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function geometry(ctx: Ctx): { k: number; slots: number } {
  const k = ctx.params.kernel;
  return { k, slots: 1 + Math.floor(ctx.n / k) };
}

/** Pooling weights omega_r, r < k (float64; the kernels get them rounded to float32). */
function poolWeights(ctx: Ctx): Float64Array {
  const { k } = geometry(ctx);
  if (ctx.params.pool === 'mean') return new Float64Array(k).fill(1 / k);
  const raw = seededWeights(ctx, 'compressed.conv', k, 1);
  const exp = Array.from(raw, (x) => Math.exp(x));
  const total = exp.reduce((a, b) => a + b, 0);
  return Float64Array.from(exp, (e) => e / total);
}

function slotAllowed(ctx: Ctx, i: number, m: number): boolean {
  const { k } = geometry(ctx);
  return m === 0 || !ctx.causal || m * k <= i;
}

/** Pooled keys or values, float64: row 0 = x_0, row m = sum_r omega_r x_{(m-1)k + r}. */
function pooled(ctx: Ctx, x: Float32Array, d: number): Float64Array {
  const { k, slots } = geometry(ctx);
  const omega = poolWeights(ctx);
  const out = new Float64Array(slots * d);
  for (let c = 0; c < d; c++) out[c] = x[c];
  for (let m = 1; m < slots; m++) {
    for (let r = 0; r < k; r++) {
      const src = (m - 1) * k + r;
      for (let c = 0; c < d; c++) out[m * d + c] = out[m * d + c] + omega[r] * x[src * d + c];
    }
  }
  return out;
}

/** Slot probabilities p_{i,m} for one query (float64). */
function slotWeights(ctx: Ctx, qkv: Qkv, i: number): Float64Array {
  const { slots } = geometry(ctx);
  const kp = ctx.memo('pooled keys', () => pooled(ctx, qkv.k, qkv.d), qkv);
  const keys: number[] = [];
  for (let m = 0; m < slots; m++) if (slotAllowed(ctx, i, m)) keys.push(m);
  const scale = 1 / Math.sqrt(qkv.d);
  return softmaxRow(slots, keys, (m) => dotRows(qkv.q, i, kp, m, qkv.d) * scale);
}

/** a_ij = p_{i,0} [j = 0] + p_{i, floor(j/k)+1} omega_{j mod k} for j < k floor(N/k). */
function rowWeights(ctx: Ctx, qkv: Qkv, i: number): Float64Array {
  const { k, slots } = geometry(ctx);
  const omega = poolWeights(ctx);
  const p = slotWeights(ctx, qkv, i);
  const out = new Float64Array(qkv.n);
  out[0] = p[0];
  for (let m = 1; m < slots; m++) {
    for (let r = 0; r < k; r++) out[(m - 1) * k + r] = out[(m - 1) * k + r] + p[m] * omega[r];
  }
  return out;
}

function reference(ctx: Ctx, qkv: Qkv, rows: readonly number[]): Float64Array {
  const { d } = qkv;
  const { slots } = geometry(ctx);
  const vp = ctx.memo('pooled values', () => pooled(ctx, qkv.v, d), qkv);
  const out = new Float64Array(rows.length * d);
  rows.forEach((i, r) => {
    const p = slotWeights(ctx, qkv, i);
    for (let m = 0; m < slots; m++) {
      for (let c = 0; c < d; c++) out[r * d + c] = out[r * d + c] + p[m] * vp[m * d + c];
    }
  });
  return out;
}

function pool(this: KernelThis, x: number[][], omega: number[]): number {
  const c = this.thread.x;
  const m = this.thread.y;
  if (m < 0.5) return x[0][c];
  let acc = 0;
  for (let r = 0; r < this.constants.k; r++) acc += omega[r] * x[(m - 1) * this.constants.k + r][c];
  return acc;
}

function slotCount(ctx: Ctx): number {
  const { k, slots } = geometry(ctx);
  if (!ctx.causal) return ctx.n * slots;
  let total = 0;
  for (let i = 0; i < ctx.n; i++) total += 1 + Math.min(slots - 1, Math.floor(i / k));
  return total;
}

export const compressed = defineVariant({
  id: 'compressed',
  name: 'Memory-compressed attention',
  family: 'compressed memory',
  summary: 'keys and values pooled over blocks of k positions (plus the raw first token), so scores are N x (1 + N/k)',
  params,
  directions: 'both',
  map: { type: 'slot_mask', columns: (ctx) => geometry(ctx).slots, allowed: slotAllowed },
  weights: {
    row: rowWeights,
    distribution: true,
    attribution: 'slot probability spread over the positions it pools: a_ij = p_i0 [j=0] + p_i,floor(j/k)+1 * omega_(j mod k) (exact for mean and for the per-offset conv)',
  },
  cost(ctx) {
    const { k, slots } = geometry(ctx);
    const poolFlops = 2 * 2 * (slots - 1) * k * ctx.d;
    // Effective support over positions: the pooled positions of every visible slot, plus x_0.
    let nnz = 0;
    for (let i = 0; i < ctx.n; i++) {
      const visible = ctx.causal ? Math.min(slots - 1, Math.floor(i / k)) : slots - 1;
      nnz += Math.max(1, visible * k);
    }
    return { flops: slotCount(ctx) * (4 * ctx.d + 5) + poolFlops, predictedBytes: denseAttentionBytes(ctx.n, ctx.d, slots) + 4 * 2 * slots * ctx.d, nnz };
  },
  reference,
  plan(ctx, runner) {
    const { k, slots } = geometry(ctx);
    const poolK = runner.kernel({ name: 'pool', fn: pool, output: [ctx.d, slots], constants: { k } });
    // Causal: slot m is visible from query i iff m <= floor(i / k) (slot 0 always).
    const kernels = rowBlockKernels(runner, { rows: ctx.n, d: ctx.d, keys: slots, causal: ctx.causal, div: k });
    const omega = hostVector(Float32Array.from(poolWeights(ctx)));
    return {
      async run(qkv) {
        const { q, k: keys, v } = qkvArgs(qkv);
        const kp = await runner.run(poolK, [keys, omega]);
        const vp = await runner.run(poolK, [v, omega]);
        const out = await denseAttention(runner, kernels, q, { k: kp, v: vp, shift: 0, valid: slots });
        runner.release(kp, vp);
        return out;
      },
    };
  },
});
