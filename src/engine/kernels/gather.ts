import type { Qkv } from '../qkv';
import { kernelFunction, type KernelFn, type KernelThis } from './kernel-fn';
import { POW2 } from './row-blocks';
import { hostVector, qkvArgs, type DeviceArray, type KernelHandle, type KernelRunner } from './runner';

/**
 * Softmax attention over an index set, computed as a gather: query row y has `slots` slots, and
 * slot s holds key keyOf(y, s), or -1 when the slot is empty. Only those keys are read, so the
 * work and the memory are proportional to rows x slots, never to N x N unless the index set is
 * dense (as it is for `full`). Empty rows give 0.
 *
 * Six kernels: scores [rows x slots], row max, row sum, probabilities [rows x slots], the key
 * table [rows x slots] (keyOf once per slot, -1 for an empty slot), and the output [rows x d] =
 * probabilities gathered against V, which reads the table instead of calling keyOf d times per
 * slot (gpu.js's webasm backend runs helper calls one SIMD lane at a time).
 */
export interface IndexSet {
  /** Number of query rows (N, or the number of global tokens for their own pass). */
  rows: number;
  slots: number;
  /** Source of `function keyOf(y, s)`, built with `kernelFunction`; reads this.constants. */
  keyOf: string;
  /** Source of `function queryOf(y)`: the query position of row y (identity by default). */
  queryOf?: string;
  /** The same positions on the host, where queryOf is not the identity: the output rows they fill. */
  queries?: readonly number[];
  /** Sources of further functions keyOf or queryOf call. */
  helpers?: string[];
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

function keyTable(this: KernelThis): number {
  return keyOf(this.thread.y, this.thread.x);
}

/**
 * Scores of row y: the query position comes from `queryRows` (host data, queryOf on the host),
 * not from a queryOf call, so on webasm it is read once for all SIMD lanes; an empty slot skips
 * the dot product (whole lane groups of padding skip it together).
 */
function scores(this: KernelThis, q: number[][], k: number[][], queryRows: number[]): number {
  const y = this.thread.y;
  const j = keyOf(y, this.thread.x);
  const i = queryRows[y];
  // Four partial sums: the loop overhead, not the arithmetic, bounds this kernel on the CPU backends.
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  if (j >= 0) {
    for (let c = 0; c < this.constants.d4; c++) {
      const b = c * 4;
      a0 += q[i][b] * k[j][b];
      a1 += q[i][b + 1] * k[j][b + 1];
      a2 += q[i][b + 2] * k[j][b + 2];
      a3 += q[i][b + 3] * k[j][b + 3];
    }
    // The d % 4 channels left over. The counter starts at 0: gpu.js types a counter initialised from
    // an expression as a float, and WGSL has no ++ on floats (patches/gpu.js+2.24.1.patch fixes that
    // in gpu.js too).
    for (let r = 0; r < this.constants.dTail; r++) {
      const e = this.constants.d4 * 4 + r;
      a0 += q[i][e] * k[j][e];
    }
  }
  return (a0 + a1 + a2 + a3) * this.constants.scale;
}

/**
 * The loops of the row kernels stop at `limits[y]`, row y's last valid slot + 1 (host data, read
 * from the key table once per plan). On webasm a bound read with a thread.y index is one scalar
 * for all lanes, so the weighted values' loop and its break stay unmasked; a bound from a helper
 * call would be lane-dependent.
 */
function rowMax(this: KernelThis, sc: number[][], limits: number[]): number {
  const y = this.thread.x;
  const limit = limits[y];
  let m = -1e30;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    if (keyOf(y, s) >= 0) m = Math.max(m, sc[y][s]);
  }
  return m;
}

/** The exponentials are row-blocks.ts's arithmetic exp (see blockWeights there for why), with z <= 0 here. */
function rowSum(this: KernelThis, sc: number[][], m: number[], pow2: number[], limits: number[]): number {
  const y = this.thread.x;
  const limit = limits[y];
  let l = 0;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    if (keyOf(y, s) >= 0) {
      const z = Math.max(sc[y][s] - m[y], -87);
      const n = Math.floor(z * 1.4426950408889634 + 0.5);
      const f = z - n * 0.693145751953125 - n * 1.4286068202862268e-6;
      l += (1 + f * (1 + f * (0.5 + f * (0.16666666666666666 + f * (0.041666666666666664 + f * (0.008333333333333333 + f * 0.001388888888888889)))))) * pow2[-n];
    }
  }
  return l;
}

function probs(this: KernelThis, sc: number[][], m: number[], l: number[], pow2: number[]): number {
  const y = this.thread.y;
  const s = this.thread.x;
  if (keyOf(y, s) < 0 || l[y] <= 0) return 0;
  const z = Math.min(Math.max(sc[y][s] - m[y], -87), 0);
  const n = Math.floor(z * 1.4426950408889634 + 0.5);
  const f = z - n * 0.693145751953125 - n * 1.4286068202862268e-6;
  return ((1 + f * (1 + f * (0.5 + f * (0.16666666666666666 + f * (0.041666666666666664 + f * (0.008333333333333333 + f * 0.001388888888888889)))))) * pow2[-n]) / l[y];
}

/** Row y, channel c: the key and the probability of a slot are the same for every c (scalar reads on webasm). */
function weightedValues(this: KernelThis, p: number[][], v: number[][], keys: number[][], limits: number[]): number {
  const y = this.thread.y;
  const c = this.thread.x;
  const limit = limits[y];
  let acc = 0;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    const j = keys[y][s];
    if (j >= 0) acc += p[y][s] * v[j][c];
  }
  return acc;
}

/**
 * Row y, channels c + r * d4 (r = 0..3), for d divisible by 4: four channels per thread share the
 * key, probability and loop overhead of each slot (about half the time of one channel per thread on
 * webasm), and neighbouring threads read neighbouring channels. The host puts the channels back in
 * order (`channelsInOrder`).
 */
function weightedValues4(this: KernelThis, p: number[][], v: number[][], keys: number[][], limits: number[]): number[] {
  const y = this.thread.y;
  const c = this.thread.x;
  const d4 = this.constants.d4;
  const limit = limits[y];
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let s = 0; s < this.constants.slots; s++) {
    if (s >= limit) break;
    const j = keys[y][s];
    if (j >= 0) {
      const w = p[y][s];
      a0 += w * v[j][c];
      a1 += w * v[j][c + d4];
      a2 += w * v[j][c + 2 * d4];
      a3 += w * v[j][c + 3 * d4];
    }
  }
  return [a0, a1, a2, a3];
}

declare function keyOf(y: number, s: number): number;

/** weightedValues4's result (row y holds channel c + r * d4 at 4c + r) in channel order, [rows x d]. */
function channelsInOrder(four: DeviceArray, d: number): DeviceArray {
  const d4 = d / 4;
  const out = new Float32Array(four.height * d);
  for (let y = 0; y < four.height; y++) {
    const at = y * d;
    for (let c = 0; c < d4; c++) {
      for (let r = 0; r < 4; r++) out[at + c + r * d4] = four.data[at + 4 * c + r];
    }
  }
  return { data: out, width: d, height: four.height, rank: 2 };
}

/** Row y's last valid slot + 1, from a key table [rows x slots] (0 for an empty row). */
function lastValidSlots(keys: DeviceArray): Float32Array {
  const limits = new Float32Array(keys.height);
  for (let y = 0; y < keys.height; y++) {
    const row = keys.data.subarray(y * keys.width, (y + 1) * keys.width);
    let s = row.length;
    while (s > 0 && row[s - 1] < 0) s--;
    limits[y] = s;
  }
  return limits;
}

/** Peak intermediate bytes of one gather pass: scores and probabilities [rows x slots], row max and row sum. */
export function gatherPassBytes(set: Pick<IndexSet, 'rows' | 'slots'>): number {
  return 4 * (2 * set.rows * set.slots + 2 * set.rows);
}

/**
 * The cost model of a variant computed as gather passes over `nnz` non-empty slots: FLOPs of the
 * five kernels, and the peak bytes of the largest pass (each releases its arrays).
 */
export function gatherCost(sets: ReadonlyArray<Pick<IndexSet, 'rows' | 'slots'>>, nnz: number, d: number): { flops: number; predictedBytes: number; nnz: number } {
  return { flops: nnz * (4 * d + 5), predictedBytes: Math.max(0, ...sets.map(gatherPassBytes)), nnz };
}

export class GatherAttention {
  private readonly keysK: KernelHandle;
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
    const functions = [...(set.helpers ?? []), set.keyOf, set.queryOf ?? identityQueryOf, ...(customScores?.functions ?? [])];
    const constants = { ...set.constants, d, d4: Math.floor(d / 4), dTail: d % 4, slots: set.slots, scale: 1 / Math.sqrt(d) };
    const rows = set.rows;
    const slots = set.slots;
    this.keysK = runner.kernel({ name: 'key table', fn: keyTable, output: [slots, rows], constants, functions });
    this.scoresK = runner.kernel({ name: 'scores', fn: customScores?.fn ?? scores, output: [slots, rows], constants, functions });
    this.maxK = runner.kernel({ name: 'row max', fn: rowMax, output: [rows], constants, functions });
    this.sumK = runner.kernel({ name: 'row sum', fn: rowSum, output: [rows], constants, functions });
    this.probsK = runner.kernel({ name: 'probabilities', fn: probs, output: [slots, rows], constants, functions });
    this.fourChannels = d % 4 === 0;
    this.outK = this.fourChannels
      ? runner.kernel({ name: 'weighted values', fn: weightedValues4, output: [d / 4, rows], constants, functions, returnType: 'Array(4)' })
      : runner.kernel({ name: 'weighted values', fn: weightedValues, output: [d, rows], constants, functions });
    this.d = d;
    this.customScores = customScores !== undefined;
    this.queryRows = hostVector(Float32Array.from(set.queries ?? Array.from({ length: rows }, (_, y) => y)));
  }

  private readonly customScores: boolean;
  private readonly fourChannels: boolean;
  private readonly d: number;
  private readonly queryRows: DeviceArray;
  private limits: DeviceArray | undefined;

  /**
   * The row limits, read once from a key table (the first run computes one more table, released
   * before the pass starts, so its peak bytes are those of every later run).
   */
  private async rowLimits(): Promise<DeviceArray> {
    if (!this.limits) {
      const keys = await this.runner.run(this.keysK, []);
      this.limits = hostVector(lastValidSlots(keys));
      this.runner.release(keys);
    }
    return this.limits;
  }

  /** O [rows x d]; `extra` are the custom score kernel's arguments after q and k (it calls keyOf itself). */
  async run(q: DeviceArray, k: DeviceArray, v: DeviceArray, extra: DeviceArray[] = []): Promise<DeviceArray> {
    const r = this.runner;
    const limits = await this.rowLimits();
    const sc = await r.run(this.scoresK, this.customScores ? [q, k, ...extra] : [q, k, this.queryRows]);
    const m = await r.run(this.maxK, [sc, limits]);
    const l = await r.run(this.sumK, [sc, m, POW2, limits]);
    const p = await r.run(this.probsK, [sc, m, l, POW2]);
    r.release(sc, m, l);
    // The table takes the place of the scores: the pass's peak stays scores, probabilities, max and sum.
    const keys = await r.run(this.keysK, []);
    const out = await r.run(this.outK, [p, v, keys, limits], 'output');
    r.release(p, keys);
    return this.fourChannels ? channelsInOrder(out, this.d) : out;
  }
}

/**
 * The plan of a variant computed as gathers: one pass per index set, in order; a later pass (e.g.
 * Longformer's global rows over every key) overwrites the output rows of its queries.
 */
export function gatherPlan(runner: KernelRunner, sets: readonly IndexSet[], d: number): { run(qkv: Qkv): Promise<DeviceArray> } {
  const passes = sets.map((set) => ({ set, engine: new GatherAttention(runner, set, d) }));
  return {
    async run(qkv) {
      const { q, k, v } = qkvArgs(qkv);
      let out: DeviceArray | undefined;
      for (const { set, engine } of passes) {
        const rows = await engine.run(q, k, v);
        if (!out) out = rows;
        else (set.queries ?? []).forEach((p, r) => out?.data.set(rows.data.subarray(r * d, (r + 1) * d), p * d));
      }
      if (!out) throw new Error('a gather plan needs at least one index set');
      return out;
    },
  };
}
