import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import type { KernelThis } from '../kernels/kernel-fn';
import { hostMatrix, qkvArgs, type DeviceArray } from '../kernels/runner';
import { softmaxReference, softmaxWeights } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * Full softmax attention computed tile by tile over the keys with an online softmax (the idea
 * behind FlashAttention): for each tile of `tile` keys, the scores of that tile only, the running
 * row max m and sum l are updated and the running output rescaled, so memory is O(N (tile + d))
 * instead of O(N^2). The output equals `full`'s.
 */
/**
 * Scores of query i against the keys of the tile starting at t0 (k holds only those keys). The
 * unrolled dot product repeats the gather engine's: gpu.js helpers cannot take arrays on webasm.
 */
function tileScores(this: KernelThis, q: number[][], k: number[][], t0: number): number {
  const i = this.thread.y;
  const j = t0 + this.thread.x;
  if (j >= this.constants.n) return 0;
  if (this.constants.causal > 0 && j > i) return 0;
  const r = this.thread.x;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let c = 0; c < this.constants.d4; c++) {
    const b = c * 4;
    a0 += q[i][b] * k[r][b];
    a1 += q[i][b + 1] * k[r][b + 1];
    a2 += q[i][b + 2] * k[r][b + 2];
    a3 += q[i][b + 3] * k[r][b + 3];
  }
  // The d % 4 leftover channels, with a counter from 0 (see the gather engine's scores).
  for (let t = 0; t < this.constants.dTail; t++) {
    const e = this.constants.d4 * 4 + t;
    a0 += q[i][e] * k[r][e];
  }
  return (a0 + a1 + a2 + a3) * this.constants.scale;
}

function fill(this: KernelThis): number {
  return this.constants.value;
}

function tileMax(this: KernelThis, sc: number[][], mOld: number[], t0: number): number {
  const i = this.thread.x;
  let m = mOld[i];
  // Causal rows before the tile have no key in it.
  if (this.constants.causal > 0 && t0 > i) return m;
  for (let s = 0; s < this.constants.tile; s++) {
    const j = t0 + s;
    if (j < this.constants.n && (this.constants.causal < 1 || j <= i)) m = Math.max(m, sc[i][s]);
  }
  return m;
}

function tileSum(this: KernelThis, sc: number[][], mOld: number[], lOld: number[], mNew: number[], t0: number): number {
  const i = this.thread.x;
  let l = lOld[i] * Math.exp(mOld[i] - mNew[i]);
  if (this.constants.causal > 0 && t0 > i) return l;
  for (let s = 0; s < this.constants.tile; s++) {
    const j = t0 + s;
    if (j < this.constants.n && (this.constants.causal < 1 || j <= i)) l += Math.exp(sc[i][s] - mNew[i]);
  }
  return l;
}

function tileProbs(this: KernelThis, sc: number[][], mNew: number[], t0: number): number {
  const i = this.thread.y;
  const j = t0 + this.thread.x;
  if (j >= this.constants.n) return 0;
  if (this.constants.causal > 0 && j > i) return 0;
  return Math.exp(sc[i][this.thread.x] - mNew[i]);
}

function tileAccumulate(this: KernelThis, p: number[][], v: number[][], accOld: number[][], mOld: number[], mNew: number[], t0: number): number {
  const c = this.thread.x;
  const i = this.thread.y;
  let acc = accOld[i][c] * Math.exp(mOld[i] - mNew[i]);
  if (this.constants.causal > 0 && t0 > i) return acc;
  for (let s = 0; s < this.constants.tile; s++) {
    const j = t0 + s;
    if (j < this.constants.n) acc += p[i][s] * v[s][c];
  }
  return acc;
}

function normalize(this: KernelThis, acc: number[][], l: number[]): number {
  const i = this.thread.y;
  if (l[i] <= 0) return 0;
  return acc[i][this.thread.x] / l[i];
}

const params = {
  tile: { kind: 'int', description: 'keys per tile', default: 64, min: 1, max: { text: 'N', at: (n: number) => n } },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function tileOf(ctx: Ctx): number {
  return Math.min(ctx.params.tile, ctx.n);
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  return !ctx.causal || j <= i;
}

export const fullStreaming = defineVariant({
  id: 'full-streaming',
  name: 'Full softmax, streaming',
  family: 'exact',
  summary: 'the same output as full, computed over key tiles with an online softmax: O(N^2) time, O(N d) memory',
  params,
  exactAttention: true,
  directions: 'both',
  map: { type: 'mask', allowed },
  weights: softmaxWeights(allowed, 'softmax probability a_ij (the same as full)'),
  cost(ctx) {
    const { n, d } = ctx;
    const tile = tileOf(ctx);
    const tiles = Math.ceil(n / tile);
    const nnz = ctx.causal ? (n * (n + 1)) / 2 : n * n;
    const flops = nnz * (4 * d + 5) + tiles * n * (2 * d + 6) + n * d;
    // Live at once: scores and probabilities of one tile, m and l (old and new), the running output (old and new).
    const atProbs = 2 * n * tile + 4 * n + n * d;
    const atAccumulate = n * tile + 4 * n + 2 * n * d;
    return { flops, predictedBytes: 4 * Math.max(atProbs, atAccumulate), nnz };
  },
  reference: softmaxReference(allowed),
  plan(ctx, runner) {
    const { n, d } = ctx;
    const tile = tileOf(ctx);
    const constants = { n, d, d4: Math.floor(d / 4), dTail: d % 4, tile, causal: ctx.causal ? 1 : 0, scale: 1 / Math.sqrt(d) };
    const scoresK = runner.kernel({ name: 'tile scores', fn: tileScores, output: [tile, n], constants });
    const maxK = runner.kernel({ name: 'tile max', fn: tileMax, output: [n], constants });
    const sumK = runner.kernel({ name: 'tile sum', fn: tileSum, output: [n], constants });
    const probsK = runner.kernel({ name: 'tile probabilities', fn: tileProbs, output: [tile, n], constants });
    const accK = runner.kernel({ name: 'tile accumulate', fn: tileAccumulate, output: [d, n], constants });
    const normK = runner.kernel({ name: 'normalize', fn: normalize, output: [d, n], constants });
    const minusInf = runner.kernel({ name: 'init max', fn: fill, output: [n], constants: { value: -1e30 } });
    const zeros = runner.kernel({ name: 'init sum', fn: fill, output: [n], constants: { value: 0 } });
    const zeros2d = runner.kernel({ name: 'init output', fn: fill, output: [d, n], constants: { value: 0 } });
    return {
      async run(qkv) {
        const { q } = qkvArgs(qkv);
        let m: DeviceArray = await runner.run(minusInf, []);
        let l: DeviceArray = await runner.run(zeros, []);
        let acc: DeviceArray = await runner.run(zeros2d, []);
        for (let t0 = 0; t0 < n; t0 += tile) {
          const rows = Math.min(tile, n - t0);
          // Only this tile's keys and values are handed to the kernels.
          const k = hostMatrix(padRows(qkv.k, t0, rows, tile, d), d, tile);
          const v = hostMatrix(padRows(qkv.v, t0, rows, tile, d), d, tile);
          const sc = await runner.run(scoresK, [q, k, t0]);
          const mNew = await runner.run(maxK, [sc, m, t0]);
          const lNew = await runner.run(sumK, [sc, m, l, mNew, t0]);
          const p = await runner.run(probsK, [sc, mNew, t0]);
          runner.release(sc);
          const accNew = await runner.run(accK, [p, v, acc, m, mNew, t0]);
          runner.release(p, m, l, acc);
          m = mNew;
          l = lNew;
          acc = accNew;
        }
        const out = await runner.run(normK, [acc, l], 'output');
        runner.release(m, l, acc);
        return out;
      },
    };
  },
});

/** Rows t0 .. t0+rows-1 of a [n x d] array as a [tile x d] block (a view when no padding is needed). */
function padRows(a: Float32Array, t0: number, rows: number, tile: number, d: number): Float32Array {
  if (rows === tile) return a.subarray(t0 * d, (t0 + tile) * d);
  const out = new Float32Array(tile * d);
  out.set(a.subarray(t0 * d, (t0 + rows) * d));
  return out;
}
