import { kernelFunction, type KernelFn, type KernelThis } from './kernel-this';
import { hostMatrix, type DeviceArray, type KernelHandle, type KernelRunner } from './runner';

/**
 * Softmax attention over an index set, computed as a gather: query row y has `slots` slots, and
 * slot s holds key keyOf(y, s), or -1 when the slot is empty. Only those keys are read, so the
 * work and the memory are proportional to rows x slots, never to N x N unless the index set is
 * dense (as it is for `full`). Empty rows give 0.
 *
 * Five kernels: scores [rows x slots], row max, row sum, probabilities [rows x slots], and the
 * output [rows x d] = probabilities gathered against V.
 */
export interface IndexSet {
  /** Number of query rows (N, or the number of global tokens for their own pass). */
  rows: number;
  slots: number;
  /** Source of `function keyOf(y, s)`, built with `kernelFunction`; reads this.constants. */
  keyOf: string;
  /** Source of `function queryOf(y)`: the query position of row y (identity by default). */
  queryOf?: string;
  /** Sources of further functions keyOf or queryOf call. */
  helpers?: string[];
  /**
   * Source of `function slotLimit(y)`: row y's valid slots all lie below it, so loops stop there
   * (full causal: y + 1, which halves its work). Default: every slot.
   */
  slotLimit?: string;
  /**
   * Dense: slot s holds key s for every s below slotLimit(y) (full attention). The kernels then
   * skip keyOf, which matters when every row has N slots.
   */
  dense?: boolean;
  constants: Record<string, number>;
}

/** A custom score for (row y, key j), e.g. Transformer-XL's relative-position terms. */
export interface ScoreKernel {
  fn: KernelFn;
  /** Extra arguments after (q, k), passed at every run. */
  functions?: string[];
}

export const identityQueryOf = kernelFunction('queryOf', function queryOf(y: number): number {
  return y;
});

/** Every slot may be valid. (`0 * y` keeps y used: gpu.js types helper arguments from their uses.) */
const allSlots = kernelFunction('slotLimit', function (this: KernelThis, y: number): number {
  return this.constants.slots + 0 * y;
});

function scores(this: KernelThis, q: number[][], k: number[][]): number {
  const y = this.thread.y;
  const j = keyOf(y, this.thread.x);
  if (j < 0) return 0;
  const i = queryOf(y);
  // Four partial sums: the loop overhead, not the arithmetic, bounds this kernel on the CPU backends.
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let c = 0; c < this.constants.d4; c++) {
    const b = c * 4;
    a0 += q[i][b] * k[j][b];
    a1 += q[i][b + 1] * k[j][b + 1];
    a2 += q[i][b + 2] * k[j][b + 2];
    a3 += q[i][b + 3] * k[j][b + 3];
  }
  for (let r = this.constants.d4 * 4; r < this.constants.d; r++) {
    a0 += q[i][r] * k[j][r];
  }
  return (a0 + a1 + a2 + a3) * this.constants.scale;
}

function rowMax(this: KernelThis, sc: number[][]): number {
  const y = this.thread.x;
  const limit = slotLimit(y);
  let m = -1e30;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    if (keyOf(y, s) >= 0) m = Math.max(m, sc[y][s]);
  }
  return m;
}

function rowSum(this: KernelThis, sc: number[][], m: number[]): number {
  const y = this.thread.x;
  const limit = slotLimit(y);
  let l = 0;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    if (keyOf(y, s) >= 0) l += Math.exp(sc[y][s] - m[y]);
  }
  return l;
}

function probs(this: KernelThis, sc: number[][], m: number[], l: number[]): number {
  const y = this.thread.y;
  const s = this.thread.x;
  if (keyOf(y, s) < 0 || l[y] <= 0) return 0;
  return Math.exp(sc[y][s] - m[y]) / l[y];
}

function weightedValues(this: KernelThis, p: number[][], v: number[][]): number {
  const y = this.thread.y;
  const c = this.thread.x;
  const limit = slotLimit(y);
  let acc = 0;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    const j = keyOf(y, s);
    if (j >= 0) acc += p[y][s] * v[j][c];
  }
  return acc;
}

/** Dense index sets: weighted values without keyOf; keys are slots, rows stop at slotLimit. */
function denseWeightedValues(this: KernelThis, p: number[][], v: number[][]): number {
  const y = this.thread.y;
  const c = this.thread.x;
  const limit = slotLimit(y);
  let a0 = 0;
  let a1 = 0;
  for (let s = 0; s < this.constants.slots2; s++) {
    const b = s * 2;
    if (b >= limit) break;
    a0 += p[y][b] * v[b][c];
    a1 += p[y][b + 1] * v[b + 1][c];
  }
  if (this.constants.slots2 * 2 < this.constants.slots) a0 += p[y][this.constants.slots - 1] * v[this.constants.slots - 1][c];
  return a0 + a1;
}

declare function keyOf(y: number, s: number): number;
declare function queryOf(y: number): number;
declare function slotLimit(y: number): number;

export interface GatherCost {
  flops: number;
  predictedBytes: number;
}

/** FLOPs and peak intermediate bytes of one gather pass with `nnz` non-empty slots. */
export function gatherCost(rows: number, slots: number, nnz: number, d: number): GatherCost {
  return {
    flops: nnz * (4 * d + 5),
    predictedBytes: 4 * (2 * rows * slots + 2 * rows),
  };
}

export class GatherAttention {
  private readonly scoresK: KernelHandle;
  private readonly maxK: KernelHandle;
  private readonly sumK: KernelHandle;
  private readonly probsK: KernelHandle;
  private readonly outK: KernelHandle;

  constructor(
    private readonly runner: KernelRunner,
    readonly set: IndexSet,
    d: number,
    customScores?: ScoreKernel,
  ) {
    const functions = [...(set.helpers ?? []), set.keyOf, set.queryOf ?? identityQueryOf, set.slotLimit ?? allSlots, ...(customScores?.functions ?? [])];
    const constants = { ...set.constants, d, d4: Math.floor(d / 4), slots: set.slots, slots2: Math.floor(set.slots / 2), scale: 1 / Math.sqrt(d) };
    const rows = set.rows;
    const slots = set.slots;
    this.scoresK = runner.kernel({ name: 'scores', fn: customScores?.fn ?? scores, output: [slots, rows], constants, functions });
    this.maxK = runner.kernel({ name: 'row max', fn: rowMax, output: [rows], constants, functions });
    this.sumK = runner.kernel({ name: 'row sum', fn: rowSum, output: [rows], constants, functions });
    this.probsK = runner.kernel({ name: 'probabilities', fn: probs, output: [slots, rows], constants, functions });
    this.outK = runner.kernel({ name: 'weighted values', fn: set.dense ? denseWeightedValues : weightedValues, output: [d, rows], constants, functions });
  }

  /** O [rows x d]; `extra` are the custom score kernel's arguments after q and k. */
  async run(q: DeviceArray, k: DeviceArray, v: DeviceArray, extra: DeviceArray[] = []): Promise<DeviceArray> {
    const r = this.runner;
    const sc = await r.run(this.scoresK, [q, k, ...extra]);
    const m = await r.run(this.maxK, [sc]);
    const l = await r.run(this.sumK, [sc, m]);
    const p = await r.run(this.probsK, [sc, m, l]);
    r.release(sc, m, l);
    const out = await r.run(this.outK, [p, v], 'output');
    r.release(p);
    return out;
  }
}

/** Q, K or V of an input set as a kernel argument. */
export function qkvArgs(qkv: { n: number; d: number; q: Float32Array; k: Float32Array; v: Float32Array }): {
  q: DeviceArray;
  k: DeviceArray;
  v: DeviceArray;
} {
  return {
    q: hostMatrix(qkv.q, qkv.d, qkv.n),
    k: hostMatrix(qkv.k, qkv.d, qkv.n),
    v: hostMatrix(qkv.v, qkv.d, qkv.n),
  };
}

/** The whole plan of a plain mask variant: one gather pass over its index set. */
export function gatherPlan(runner: KernelRunner, set: IndexSet, d: number): { run(qkv: Parameters<typeof qkvArgs>[0]): Promise<DeviceArray> } {
  const engine = new GatherAttention(runner, set, d);
  return {
    run: (qkv) => {
      const { q, k, v } = qkvArgs(qkv);
      return engine.run(q, k, v);
    },
  };
}
