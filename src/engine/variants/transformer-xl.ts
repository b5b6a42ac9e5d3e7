import { LIMITS } from '../../model/limits';
import { enumParam, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import { GatherAttention, gatherCost, gatherPlan, type IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { hostMatrix, hostVector, qkvArgs } from '../kernels/runner';
import type { Qkv } from '../qkv';
import { countPairs, dotRows, softmaxRow } from './reference';
import { seededWeights } from './seeded';
import { defineVariant, type VariantContext } from './variant';

/**
 * Transformer-XL (Dai et al. 2019), one layer, inference view: the sequence is cut into segments
 * of L; a query at p attends to the previous M positions (the memory, same K and V) and its own
 * segment up to itself: max(0, floor(p/L) L - M) <= j <= p, or with sameLength exactly the last M
 * positions, max(0, p - M + 1) <= j <= p (kimiyoung/transformer-xl mem_transformer.py).
 * relpos = on adds the relative-position terms of A^rel with seeded u, v and W_r:
 *   s_pj = [(q_p + u)·k_j + (q_p + v)·(W_r R_{p-j})] / sqrt(d),  R_delta = [sin(delta f), cos(delta f)].
 */
const params = {
  segment: { kind: 'int', description: 'segment length L', default: 64, min: 1, max: LIMITS.maxTokens },
  memory: { kind: 'int', description: 'memory length M (previous positions kept)', default: 64, min: 0, max: LIMITS.maxTokens },
  sameLength: { kind: 'bool', description: "every query sees exactly the last M positions (the eval scripts' same_length)", default: false },
  relpos: enumParam({ description: 'on: relative-position terms with seeded u, v, W_r; off: plain scaled dot products', default: 'on', choices: ['on', 'off'] }),
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function settings(ctx: Ctx) {
  return { L: ctx.params.segment, M: ctx.params.memory, sameLength: ctx.params.sameLength, relpos: ctx.params.relpos === 'on' };
}

function firstKey(ctx: Ctx, p: number): number {
  const { L, M, sameLength } = settings(ctx);
  return sameLength ? Math.max(0, p - M + 1) : Math.max(0, Math.floor(p / L) * L - M);
}

/** Largest distance p - j a query can see: the relative-position table has this many + 1 rows. */
function maxDistance(ctx: Ctx): number {
  const { L, M, sameLength } = settings(ctx);
  return Math.max(0, Math.min(ctx.n - 1, sameLength ? M - 1 : M + L - 1));
}

/** R_delta as in Transformer-XL's PositionalEmbedding: sin over the first half, cos over the second. */
function relativeEncoding(delta: number, d: number): Float64Array {
  const half = Math.ceil(d / 2);
  const r = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    const t = c < half ? c : c - half;
    const angle = delta / Math.pow(10000, (2 * t) / d);
    r[c] = c < half ? Math.sin(angle) : Math.cos(angle);
  }
  return r;
}

interface RelWeights {
  u: Float32Array;
  v: Float32Array;
  /** W_r [d x d], row-major: (W_r R)_c = sum_t W_r[c][t] R_t. */
  wr: Float32Array;
  /** R_delta for delta = 0 .. maxDistance, [rows x d]. */
  encodings: Float32Array;
}

function relWeights(ctx: Ctx): RelWeights {
  return ctx.memo('relative-position weights', () => makeRelWeights(ctx));
}

function makeRelWeights(ctx: Ctx): RelWeights {
  const { d } = ctx;
  const rows = maxDistance(ctx) + 1;
  const encodings = new Float32Array(rows * d);
  for (let delta = 0; delta < rows; delta++) encodings.set(relativeEncoding(delta, d), delta * d);
  return {
    u: seededWeights(ctx, 'xl.u', d, 0.5),
    v: seededWeights(ctx, 'xl.v', d, 0.5),
    wr: seededWeights(ctx, 'xl.wr', d * d, 1 / Math.sqrt(d)),
    encodings,
  };
}

/** (W_r R_delta)_c for every distance, float64 [distances x d]. */
function relativeTable(w: RelWeights, d: number): Float64Array {
  const rows = w.encodings.length / d;
  const table = new Float64Array(rows * d);
  for (let delta = 0; delta < rows; delta++) {
    for (let c = 0; c < d; c++) {
      let acc = 0;
      for (let t = 0; t < d; t++) acc += w.wr[c * d + t] * w.encodings[delta * d + t];
      table[delta * d + c] = acc;
    }
  }
  return table;
}

/** Score function of query p in float64 (for the reference and the map). */
function scorer(ctx: Ctx, qkv: Qkv, p: number): (j: number) => number {
  const { d } = qkv;
  const scale = 1 / Math.sqrt(d);
  if (!settings(ctx).relpos) return (j) => dotRows(qkv.q, p, qkv.k, j, d) * scale;
  const w = relWeights(ctx);
  const table = ctx.memo('W_r R', () => relativeTable(w, d));
  return (j) => {
    let ac = 0;
    let bd = 0;
    for (let c = 0; c < d; c++) {
      const q = qkv.q[p * d + c];
      ac += (q + w.u[c]) * qkv.k[j * d + c];
      bd += (q + w.v[c]) * table[(p - j) * d + c];
    }
    return (ac + bd) * scale;
  };
}

function rowWeights(ctx: Ctx, qkv: Qkv, p: number): Float64Array {
  const keys: number[] = [];
  for (let j = firstKey(ctx, p); j <= p; j++) keys.push(j);
  return softmaxRow(qkv.n, keys, scorer(ctx, qkv, p));
}

function reference(ctx: Ctx, qkv: Qkv, rows: readonly number[]): Float64Array {
  const { d } = qkv;
  const out = new Float64Array(rows.length * d);
  rows.forEach((p, r) => {
    const a = rowWeights(ctx, qkv, p);
    for (let j = firstKey(ctx, p); j <= p; j++) {
      for (let c = 0; c < d; c++) out[r * d + c] = out[r * d + c] + a[j] * qkv.v[j * d + c];
    }
  });
  return out;
}

const keyOfSource = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  let lo = Math.floor((y + 0.5) / this.constants.L) * this.constants.L - this.constants.M;
  if (this.constants.sameLength > 0) lo = y - this.constants.M + 1;
  if (lo < 0) lo = 0;
  const j = lo + s;
  if (j > y) return -1;
  return j;
});

/** The relative-position table W_r R_delta, [distances x d]. */
function relTable(this: KernelThis, wr: number[][], enc: number[][]): number {
  const c = this.thread.x;
  const delta = this.thread.y;
  let acc = 0;
  for (let t = 0; t < this.constants.d; t++) acc += wr[c][t] * enc[delta][t];
  return acc;
}

function relScores(this: KernelThis, q: number[][], k: number[][], rel: number[][], u: number[], v: number[]): number {
  const y = this.thread.y;
  const j = keyOf(y, this.thread.x);
  if (j < 0) return 0;
  const delta = y - j;
  let acc = 0;
  for (let c = 0; c < this.constants.d; c++) acc += (q[y][c] + u[c]) * k[j][c] + (q[y][c] + v[c]) * rel[delta][c];
  return acc * this.constants.scale;
}

declare function keyOf(y: number, s: number): number;

function slots(ctx: Ctx): number {
  const { L, M, sameLength } = settings(ctx);
  return Math.max(1, Math.min(ctx.n, sameLength ? M : M + L));
}

function indexSets(ctx: Ctx): IndexSet[] {
  const { L, M, sameLength } = settings(ctx);
  return [{ rows: ctx.n, slots: slots(ctx), keyOf: keyOfSource, constants: { L, M, sameLength: sameLength ? 1 : 0 } }];
}

export const transformerXl = defineVariant({
  id: 'transformer-xl',
  name: 'Transformer-XL',
  family: 'segment recurrence',
  summary: 'segments of L tokens attend to themselves and a memory of the previous M positions, with relative positions: O(N (M + L))',
  params,
  directions: 'causal-only',
  map: { type: 'effective_support', allowed: (ctx, i, j) => j <= i && j >= firstKey(ctx, i) },
  weights: { row: rowWeights, distribution: true, attribution: 'softmax probability over the memory and the segment (with relative-position scores when relpos = on)' },
  cost(ctx) {
    const nnz = countPairs(ctx.n, (p) => p - firstKey(ctx, p) + 1);
    const gather = gatherCost(indexSets(ctx), nnz, ctx.d);
    if (!settings(ctx).relpos) return gather;
    const distances = maxDistance(ctx) + 1;
    return { flops: gather.flops + nnz * 2 * ctx.d + distances * 2 * ctx.d * ctx.d, predictedBytes: gather.predictedBytes + 4 * distances * ctx.d, nnz };
  },
  weightBytes: (ctx) => (settings(ctx).relpos ? 4 * (2 * ctx.d + ctx.d * ctx.d + (maxDistance(ctx) + 1) * ctx.d) : 0),
  reference,
  indexSets,
  plan(ctx, runner) {
    if (!settings(ctx).relpos) return gatherPlan(runner, indexSets(ctx), ctx.d);
    const w = relWeights(ctx);
    const distances = maxDistance(ctx) + 1;
    const tableK = runner.kernel({ name: 'relative table', fn: relTable, output: [ctx.d, distances], constants: { d: ctx.d } });
    const [set] = indexSets(ctx);
    if (!set) throw new Error('transformer-xl has one index set');
    const engine = new GatherAttention(runner, set, ctx.d, { fn: relScores });
    const wr = hostMatrix(w.wr, ctx.d, ctx.d);
    const enc = hostMatrix(w.encodings, ctx.d, distances);
    return {
      async run(qkv) {
        const { q, k, v } = qkvArgs(qkv);
        const rel = await runner.run(tableK, [wr, enc]);
        const out = await engine.run(q, k, v, [rel, hostVector(w.u), hostVector(w.v)]);
        runner.release(rel);
        return out;
      },
    };
  },
});
