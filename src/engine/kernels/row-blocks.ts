import { kernelFunction, type KernelThis } from './kernel-fn';
import { hostMatrix, hostVector, type DeviceArray, type KernelArgument, type KernelHandle, type KernelRunner } from './runner';

/**
 * Dense softmax attention with four query rows per thread (docs/kernels.md: why this shape).
 * Query rows come in blocks of four, i = 4g + r, and a "row-block" array holds the value of row
 * i at column x at [g][4x + r]: each thread returns its four rows as an 'Array(4)', reads a key
 * or value once for four rows, and reads Q, scores and row statistics at addresses that do not
 * depend on thread.x (which the webasm backend vectorizes over; those reads stay scalar).
 *
 * A span is W columns of keys, of which the first `valid` hold keys (all N keys for `full`, one
 * tile for `full-streaming`, the pooled slots for `compressed`, one key block for `blockwise`).
 * Causal runs see column x from row i iff x + shift <= floor(i / div): shift is the key index of
 * column 0 minus the query index of row 0, div is 1 except for `compressed` (slot m is visible
 * from i iff m <= floor(i / k)). Columns are cut into `chunks` of C: threads of the scores and
 * weights kernels are (x < C, y = g * chunks + t) for column t C + x, so a causal block skips
 * whole chunks after its last visible key with a branch that is the same for all its threads;
 * inside the boundary chunk the later keys' scores are computed and then given weight 0.
 *
 * Loops over keys step two at a time: that halves their trip counts (llvmpipe stops a shader
 * loop after about 65,535 iterations) and the loop overhead. Row vectors (max m, rescale alpha,
 * sum l) have 4 R entries; entries past N are padding.
 */

/** Scores of the four rows of block g against column t C + x (k holds the span's keys). */
function blockScores(this: KernelThis, q: number[][], k: number[][], shift: number): number[] {
  const chunks = this.constants.chunks;
  const g = Math.floor((this.thread.y + 0.5) / chunks);
  const x = (this.thread.y - g * chunks) * this.constants.chunk + this.thread.x;
  const i0 = g * 4;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  if (this.constants.causal < 1 || shift + (this.thread.y - g * chunks) * this.constants.chunk <= Math.floor((i0 + 3.5) / this.constants.div)) {
    const last = this.constants.rows - 1;
    // Rows past N (the last block's padding) and columns past the span read the last ones; their results are never used.
    const i1 = Math.min(i0 + 1, last);
    const i2 = Math.min(i0 + 2, last);
    const i3 = Math.min(i0 + 3, last);
    const kx = Math.min(x, this.constants.keys - 1);
    for (let h = 0; h < this.constants.d2; h++) {
      const c = h * 2;
      const ka = k[kx][c];
      const kb = k[kx][c + 1];
      a0 += q[i0][c] * ka + q[i0][c + 1] * kb;
      a1 += q[i1][c] * ka + q[i1][c + 1] * kb;
      a2 += q[i2][c] * ka + q[i2][c + 1] * kb;
      a3 += q[i3][c] * ka + q[i3][c + 1] * kb;
    }
    // An odd d's last channel. The counter starts at 0: gpu.js types a counter initialised from
    // an expression as a float, and WGSL has no ++ on floats.
    for (let t = 0; t < this.constants.dOdd; t++) {
      const e = this.constants.d - 1 + t;
      const ke = k[kx][e];
      a0 += q[i0][e] * ke;
      a1 += q[i1][e] * ke;
      a2 += q[i2][e] * ke;
      a3 += q[i3][e] * ke;
    }
  }
  const s = this.constants.scale;
  return [a0 * s, a1 * s, a2 * s, a3 * s];
}

/**
 * blockScores for headless-gl with Q and K read as vec4 texels (gpu.js 'Array2D(4)' arguments):
 * llvmpipe is bound by texture fetches, one per scalar read, and this needs a quarter of them.
 * The webasm backend does not take vec4 arguments, so the other backends keep blockScores.
 */
function blockScoresVec4(this: KernelThis, q: number[][][], k: number[][][], shift: number): number[] {
  const chunks = this.constants.chunks;
  const g = Math.floor((this.thread.y + 0.5) / chunks);
  const x = (this.thread.y - g * chunks) * this.constants.chunk + this.thread.x;
  const i0 = g * 4;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  if (this.constants.causal < 1 || shift + (this.thread.y - g * chunks) * this.constants.chunk <= Math.floor((i0 + 3.5) / this.constants.div)) {
    const last = this.constants.rows - 1;
    const i1 = Math.min(i0 + 1, last);
    const i2 = Math.min(i0 + 2, last);
    const i3 = Math.min(i0 + 3, last);
    const kx = Math.min(x, this.constants.keys - 1);
    for (let h = 0; h < this.constants.d4; h++) {
      const kv = k[kx][h];
      const q0 = q[i0][h];
      const q1 = q[i1][h];
      const q2 = q[i2][h];
      const q3 = q[i3][h];
      a0 += q0[0] * kv[0] + q0[1] * kv[1] + q0[2] * kv[2] + q0[3] * kv[3];
      a1 += q1[0] * kv[0] + q1[1] * kv[1] + q1[2] * kv[2] + q1[3] * kv[3];
      a2 += q2[0] * kv[0] + q2[1] * kv[1] + q2[2] * kv[2] + q2[3] * kv[3];
      a3 += q3[0] * kv[0] + q3[1] * kv[1] + q3[2] * kv[2] + q3[3] * kv[3];
    }
  }
  const s = this.constants.scale;
  return [a0 * s, a1 * s, a2 * s, a3 * s];
}

/**
 * exp(score - m) for the four rows of block g at column t C + x; exactly 0 where the key is not
 * visible. The exponential is arithmetic, not Math.exp: gpu.js's webasm backend calls out to
 * JavaScript for Math.exp once per SIMD lane (about 40 ns), which made it most of softmax's time.
 * With z = score - m clamped to [-87, 0] (keys past a causal row can score above m) = n ln2 + f, |f| <= ln2/2: e^z = 2^n e^f, e^f by its degree-6
 * Taylor polynomial (relative error below 2e-7) and 2^n read from `pow2` (pow2[k] = 2^-k).
 */
function blockWeights(this: KernelThis, sc: number[][], m: number[], pow2: number[], shift: number, valid: number): number[] {
  const chunks = this.constants.chunks;
  const g = Math.floor((this.thread.y + 0.5) / chunks);
  const x = (this.thread.y - g * chunks) * this.constants.chunk + this.thread.x;
  const i0 = g * 4;
  const j = shift + x;
  const div = this.constants.div;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  if (this.constants.causal < 1 || shift + (this.thread.y - g * chunks) * this.constants.chunk <= Math.floor((i0 + 3.5) / div)) {
    const b = x * 4;
    const c = this.constants.causal;
    const inSpan = x < valid ? 1 : 0;
    const z0 = Math.min(Math.max(sc[g][b] - m[i0], -87), 0);
    const z1 = Math.min(Math.max(sc[g][b + 1] - m[i0 + 1], -87), 0);
    const z2 = Math.min(Math.max(sc[g][b + 2] - m[i0 + 2], -87), 0);
    const z3 = Math.min(Math.max(sc[g][b + 3] - m[i0 + 3], -87), 0);
    const n0 = Math.floor(z0 * 1.4426950408889634 + 0.5);
    const n1 = Math.floor(z1 * 1.4426950408889634 + 0.5);
    const n2 = Math.floor(z2 * 1.4426950408889634 + 0.5);
    const n3 = Math.floor(z3 * 1.4426950408889634 + 0.5);
    const f0 = z0 - n0 * 0.693145751953125 - n0 * 1.4286068202862268e-6;
    const f1 = z1 - n1 * 0.693145751953125 - n1 * 1.4286068202862268e-6;
    const f2 = z2 - n2 * 0.693145751953125 - n2 * 1.4286068202862268e-6;
    const f3 = z3 - n3 * 0.693145751953125 - n3 * 1.4286068202862268e-6;
    const e0 = 1 + f0 * (1 + f0 * (0.5 + f0 * (0.16666666666666666 + f0 * (0.041666666666666664 + f0 * (0.008333333333333333 + f0 * 0.001388888888888889)))));
    const e1 = 1 + f1 * (1 + f1 * (0.5 + f1 * (0.16666666666666666 + f1 * (0.041666666666666664 + f1 * (0.008333333333333333 + f1 * 0.001388888888888889)))));
    const e2 = 1 + f2 * (1 + f2 * (0.5 + f2 * (0.16666666666666666 + f2 * (0.041666666666666664 + f2 * (0.008333333333333333 + f2 * 0.001388888888888889)))));
    const e3 = 1 + f3 * (1 + f3 * (0.5 + f3 * (0.16666666666666666 + f3 * (0.041666666666666664 + f3 * (0.008333333333333333 + f3 * 0.001388888888888889)))));
    p0 = e0 * pow2[-n0] * (c < 1 || j <= Math.floor((i0 + 0.5) / div) ? inSpan : 0);
    p1 = e1 * pow2[-n1] * (c < 1 || j <= Math.floor((i0 + 1.5) / div) ? inSpan : 0);
    p2 = e2 * pow2[-n2] * (c < 1 || j <= Math.floor((i0 + 2.5) / div) ? inSpan : 0);
    p3 = e3 * pow2[-n3] * (c < 1 || j <= Math.floor((i0 + 3.5) / div) ? inSpan : 0);
  }
  return [p0, p1, p2, p3];
}

/** Columns some row of the block from row i0 to row i1 can see: x < end. */
const spanEndSource = kernelFunction('spanEnd', function (this: KernelThis, i1: number, shift: number, valid: number): number {
  let end = valid;
  const causalEnd = Math.floor((i1 + 0.5) / this.constants.div) + 1 - shift;
  if (this.constants.causal > 0 && causalEnd < end) end = causalEnd;
  return end;
});

/** Row max over the span, at least mOld (threads: x = row in block, y = block). */
function spanMax(this: KernelThis, sc: number[][], mOld: number[], shift: number, valid: number): number {
  const r = this.thread.x;
  const g = this.thread.y;
  const i = g * 4 + r;
  const end = spanEnd(g * 4 + 3, shift, valid);
  // Causal: the loop runs to the block's last visible key, and keys row i does not see are ignored.
  let own = valid;
  if (this.constants.causal > 0) own = spanEnd(i, shift, valid);
  let m = mOld[i];
  for (let h = 0; h < this.constants.halfKeys; h++) {
    const x = h * 2;
    if (x >= end) break;
    const s0 = sc[g][x * 4 + r];
    const s1 = sc[g][x * 4 + 4 + r];
    m = Math.max(m, x < own ? s0 : m);
    m = Math.max(m, x + 1 < own ? s1 : m);
  }
  return m;
}

/** alpha = exp(mOld - m): how much the rows' earlier sums and outputs shrink. */
function rescale(this: KernelThis, mOld: number[], m: number[]): number {
  const i = this.thread.y * 4 + this.thread.x;
  return Math.exp(mOld[i] - m[i]);
}

/** Row sum of the weights over the span, plus alpha times the earlier sum. */
function spanSum(this: KernelThis, p: number[][], lOld: number[], alpha: number[], shift: number, valid: number): number {
  const r = this.thread.x;
  const g = this.thread.y;
  const i = g * 4 + r;
  const end = spanEnd(g * 4 + 3, shift, valid);
  let l0 = 0;
  let l1 = 0;
  for (let h = 0; h < this.constants.halfKeys; h++) {
    const x = h * 2;
    if (x >= end) break;
    l0 += p[g][x * 4 + r];
    if (x + 1 < end) l1 += p[g][x * 4 + 4 + r];
  }
  if (this.constants.streaming < 1) return l0 + l1;
  return lOld[i] * alpha[i] + l0 + l1;
}

/** Sum over the span of weight x value for the four rows of block g, channel x. */
function spanValues(this: KernelThis, p: number[][], v: number[][], shift: number, valid: number): number[] {
  const c = this.thread.x;
  const g = this.thread.y;
  // spanEnd inlined: on webasm a value from a helper call counts as lane-dependent, and the loop's
  // break and tail would run under lane masks (about 2x); this one depends on the block only.
  let end = valid;
  const causalEnd = Math.floor((g * 4 + 3.5) / this.constants.div) + 1 - shift;
  if (this.constants.causal > 0 && causalEnd < end) end = causalEnd;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let h = 0; h < this.constants.halfKeys; h++) {
    const x = h * 2;
    if (x + 1 >= end) break;
    const va = v[x][c];
    const vb = v[x + 1][c];
    const b = x * 4;
    a0 += p[g][b] * va + p[g][b + 4] * vb;
    a1 += p[g][b + 1] * va + p[g][b + 5] * vb;
    a2 += p[g][b + 2] * va + p[g][b + 6] * vb;
    a3 += p[g][b + 3] * va + p[g][b + 7] * vb;
  }
  if (end > 0 && end % 2 > 0.5) {
    const xl = end - 1;
    const vl = v[xl][c];
    a0 += p[g][xl * 4] * vl;
    a1 += p[g][xl * 4 + 1] * vl;
    a2 += p[g][xl * 4 + 2] * vl;
    a3 += p[g][xl * 4 + 3] * vl;
  }
  return [a0, a1, a2, a3];
}

/**
 * spanValues and spanValuesRescaled for headless-gl, with the weights (and the running output)
 * read as vec4 texels: p[g][x] holds the four rows' weights of key x (the row-block layout is one
 * RGBA texel per block and key), one fetch instead of four (llvmpipe is bound by texture fetches).
 * acc and alpha are read only when streaming (a dense pass passes placeholders).
 */
function spanValuesVec4(this: KernelThis, p: number[][][], v: number[][], acc: number[][][], alpha: number[], shift: number, valid: number): number[] {
  const c = this.thread.x;
  const g = this.thread.y;
  // The helper is fine here: only webasm runs helper calls lane by lane.
  const end = spanEnd(g * 4 + 3, shift, valid);
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  if (this.constants.streaming > 0) {
    const old = acc[g][c];
    a0 = old[0] * alpha[g * 4];
    a1 = old[1] * alpha[g * 4 + 1];
    a2 = old[2] * alpha[g * 4 + 2];
    a3 = old[3] * alpha[g * 4 + 3];
  }
  for (let h = 0; h < this.constants.halfKeys; h++) {
    const x = h * 2;
    if (x + 1 >= end) break;
    const va = v[x][c];
    const vb = v[x + 1][c];
    const pa = p[g][x];
    const pb = p[g][x + 1];
    a0 += pa[0] * va + pb[0] * vb;
    a1 += pa[1] * va + pb[1] * vb;
    a2 += pa[2] * va + pb[2] * vb;
    a3 += pa[3] * va + pb[3] * vb;
  }
  if (end > 0 && end % 2 > 0.5) {
    const xl = end - 1;
    const vl = v[xl][c];
    const pl = p[g][xl];
    a0 += pl[0] * vl;
    a1 += pl[1] * vl;
    a2 += pl[2] * vl;
    a3 += pl[3] * vl;
  }
  return [a0, a1, a2, a3];
}

/** The running output times alpha, plus this span's weighted values. */
function spanValuesRescaled(this: KernelThis, p: number[][], v: number[][], acc: number[][], alpha: number[], shift: number, valid: number): number[] {
  const c = this.thread.x;
  const g = this.thread.y;
  const i0 = g * 4;
  // spanEnd inlined: on webasm a value from a helper call counts as lane-dependent, and the loop's
  // break and tail would run under lane masks (about 2x); this one depends on the block only.
  let end = valid;
  const causalEnd = Math.floor((g * 4 + 3.5) / this.constants.div) + 1 - shift;
  if (this.constants.causal > 0 && causalEnd < end) end = causalEnd;
  const b0 = c * 4;
  let a0 = acc[g][b0] * alpha[i0];
  let a1 = acc[g][b0 + 1] * alpha[i0 + 1];
  let a2 = acc[g][b0 + 2] * alpha[i0 + 2];
  let a3 = acc[g][b0 + 3] * alpha[i0 + 3];
  for (let h = 0; h < this.constants.halfKeys; h++) {
    const x = h * 2;
    if (x + 1 >= end) break;
    const va = v[x][c];
    const vb = v[x + 1][c];
    const b = x * 4;
    a0 += p[g][b] * va + p[g][b + 4] * vb;
    a1 += p[g][b + 1] * va + p[g][b + 5] * vb;
    a2 += p[g][b + 2] * va + p[g][b + 6] * vb;
    a3 += p[g][b + 3] * va + p[g][b + 7] * vb;
  }
  if (end > 0 && end % 2 > 0.5) {
    const xl = end - 1;
    const vl = v[xl][c];
    a0 += p[g][xl * 4] * vl;
    a1 += p[g][xl * 4 + 1] * vl;
    a2 += p[g][xl * 4 + 2] * vl;
    a3 += p[g][xl * 4 + 3] * vl;
  }
  return [a0, a1, a2, a3];
}

/** O [N x d]: the row-block output divided by the row sums (0 for a row with no key). */
function normalizeRows(this: KernelThis, acc: number[][], l: number[]): number {
  const c = this.thread.x;
  const i = this.thread.y;
  const g = Math.floor((i + 0.5) / 4);
  const r = i - g * 4;
  if (l[i] <= 0) return 0;
  return acc[g][c * 4 + r] / l[i];
}

function fill(this: KernelThis): number {
  return this.constants.value;
}

function fill4(this: KernelThis): number[] {
  return [this.constants.value, this.constants.value, this.constants.value, this.constants.value];
}

declare function spanEnd(i1: number, shift: number, valid: number): number;

/** Number of row blocks of four. */
export function rowBlocks(n: number): number {
  return Math.ceil(n / 4);
}

/**
 * How a span of `keys` columns is cut into chunks (see the top of this file). Only webasm gains
 * from chunks (its SIMD lanes share one branch); the GL backends cap a texture side at 16384, so
 * elsewhere a span is one chunk of the same padded width.
 */
export function spanChunks(keys: number, chunked = true): { chunk: number; chunks: number; width: number } {
  // At most 64 columns a chunk, a multiple of 4 (one SIMD lane group), as few padding columns as that allows.
  const chunks = Math.ceil(keys / 64);
  const chunk = 4 * Math.ceil(keys / (4 * chunks));
  const width = chunk * chunks;
  return chunked ? { chunk, chunks, width } : { chunk: width, chunks: 1, width };
}

/** Bytes of a row-block array of `width` columns, and of a row vector. */
export function rowBlockBytes(n: number, width: number): number {
  return 4 * 4 * rowBlocks(n) * width;
}

export function rowVectorBytes(n: number): number {
  return 4 * 4 * rowBlocks(n);
}

export interface RowBlockKernels {
  scores: KernelHandle;
  /** The scores kernel reads Q and K, and the weighted values kernel the weights, as vec4 rows (headless-gl). */
  vec4Scores: boolean;
  max: KernelHandle;
  rescale: KernelHandle;
  weights: KernelHandle;
  sum: KernelHandle;
  values: KernelHandle;
  valuesRescaled: KernelHandle;
  normalize: KernelHandle;
  emptyMax: KernelHandle;
  zeros: KernelHandle;
  zeroOutput: KernelHandle;
}

/** What one set of row-block kernels computes: `rows` queries against spans of `keys` columns. */
export interface RowBlockShape {
  rows: number;
  d: number;
  keys: number;
  causal: boolean;
  /** Causal visibility x + shift <= floor(i / div); 1 unless keys are pooled (compressed). */
  div?: number;
  /** The output and row sum carry earlier spans (alpha-rescaled). */
  streaming?: boolean;
}

export function rowBlockKernels(runner: KernelRunner, shape: RowBlockShape): RowBlockKernels {
  const { rows, d, keys } = shape;
  const blocks = rowBlocks(rows);
  const { chunk, chunks } = spanChunks(keys, runner.backend === 'webasm');
  const constants = {
    rows,
    d,
    d2: Math.floor(d / 2),
    d4: Math.floor(d / 4),
    dOdd: d % 2,
    keys,
    halfKeys: Math.ceil(keys / 2),
    chunk,
    chunks,
    causal: shape.causal ? 1 : 0,
    div: shape.div ?? 1,
    streaming: shape.streaming ? 1 : 0,
    scale: 1 / Math.sqrt(d),
  };
  const functions = [spanEndSource];
  const four = { returnType: 'Array(4)' } as const;
  const span: [number, number] = [chunk, blocks * chunks];
  const vector: [number, number] = [4, blocks];
  const vec4Scores = runner.backend === 'headlessgl' && d % 4 === 0;
  const scoresFn = vec4Scores ? { fn: blockScoresVec4, argumentTypes: { q: 'Array2D(4)', k: 'Array2D(4)', shift: 'Float' } } : { fn: blockScores };
  const vec4Values = vec4Scores
    ? runner.kernel({
        name: shape.streaming ? 'weighted values, rescaled' : 'weighted values',
        fn: spanValuesVec4,
        argumentTypes: { p: 'Array2D(4)', v: 'Input', acc: 'Array2D(4)', alpha: 'Array', shift: 'Float', valid: 'Float' },
        output: [d, blocks],
        constants,
        functions,
        ...four,
      })
    : undefined;
  return {
    vec4Scores,
    scores: runner.kernel({ name: 'scores', ...scoresFn, output: span, constants, functions, ...four }),
    max: runner.kernel({ name: 'row max', fn: spanMax, output: vector, constants, functions }),
    rescale: runner.kernel({ name: 'rescale', fn: rescale, output: vector, constants, functions }),
    weights: runner.kernel({ name: 'weights', fn: blockWeights, output: span, constants, functions, ...four }),
    sum: runner.kernel({ name: 'row sum', fn: spanSum, output: vector, constants, functions }),
    values: vec4Values ?? runner.kernel({ name: 'weighted values', fn: spanValues, output: [d, blocks], constants, functions, ...four }),
    valuesRescaled: vec4Values ?? runner.kernel({ name: 'weighted values, rescaled', fn: spanValuesRescaled, output: [d, blocks], constants, functions, ...four }),
    normalize: runner.kernel({ name: 'normalize', fn: normalizeRows, output: [d, rows], constants }),
    emptyMax: runner.kernel({ name: 'initial max', fn: fill, output: vector, constants: { value: -1e30 } }),
    zeros: runner.kernel({ name: 'initial sum', fn: fill, output: vector, constants: { value: 0 } }),
    zeroOutput: runner.kernel({ name: 'initial output', fn: fill4, output: [d, blocks], constants: { value: 0 }, ...four }),
  };
}

/** One span of keys: its K and V rows ([keys x d]; rows past `valid` are padding) and where it sits (see the top of this file). */
export interface Span {
  k: DeviceArray;
  v: DeviceArray;
  shift: number;
  valid: number;
}

/** 2^-k for k = 0 .. 127: the powers of two of the arithmetic exp (see blockWeights). */
export const POW2 = hostVector(Float32Array.from({ length: 128 }, (_, k) => Math.pow(2, -k)));

/** A span kernel's result ([chunks R] rows of C columns) read as the [R x 4W] row-block array it is. */
function asRowBlocks(a: DeviceArray, n: number): DeviceArray {
  const height = rowBlocks(n);
  return { data: a.data, width: a.data.length / height, height, rank: 2 };
}

/** The scores kernel's Q or K: as it is, or as rows of vec4 views for blockScoresVec4. */
function scoreInput(ks: RowBlockKernels, a: DeviceArray): KernelArgument {
  if (!ks.vec4Scores) return a;
  const quads = a.width / 4;
  return { raw: Array.from({ length: a.height }, (_, y) => Array.from({ length: quads }, (_, h) => a.data.subarray((y * quads + h) * 4, (y * quads + h) * 4 + 4))) };
}

/**
 * A row-block array as rows of vec4 texels for an 'Array2D(4)' argument on headless-gl: the flat
 * data as it is (patches/gpu.js+2.24.1.patch), since one small array per texel would cost more
 * than the kernel. An array, so that gpu.js's argument check takes it for one.
 */
function texelRows(a: DeviceArray): KernelArgument {
  return { raw: Object.assign([], { flatVec4: a.data, width: a.width / 4, height: a.height }) };
}

/** Placeholders for spanValuesVec4's running output and alpha in a dense pass (it does not read them). */
const NO_TEXELS = texelRows({ data: new Float32Array(4), width: 4, height: 1, rank: 2 });
const NO_ALPHA = hostVector(new Float32Array(4));

/** A [4 x R] kernel result read as the row vector it is. */
function asVector(a: DeviceArray): DeviceArray {
  return { data: a.data, width: a.data.length, height: 1, rank: 1 };
}

/** Softmax attention of all rows over one span: scores, max, weights, sum, values, normalize. */
export async function denseAttention(runner: KernelRunner, ks: RowBlockKernels, q: DeviceArray, span: Span): Promise<DeviceArray> {
  const { shift, valid } = span;
  const empty = asVector(await runner.run(ks.emptyMax, []));
  const sc = asRowBlocks(await runner.run(ks.scores, [scoreInput(ks, q), scoreInput(ks, span.k), shift]), q.height);
  const m = asVector(await runner.run(ks.max, [sc, empty, shift, valid]));
  runner.release(empty);
  const p = asRowBlocks(await runner.run(ks.weights, [sc, m, POW2, shift, valid]), q.height);
  runner.release(sc);
  const l = asVector(await runner.run(ks.sum, [p, m, m, shift, valid]));
  const acc = await runner.run(ks.values, ks.vec4Scores ? [texelRows(p), span.v, NO_TEXELS, NO_ALPHA, shift, valid] : [p, span.v, shift, valid]);
  runner.release(p, m);
  const out = await runner.run(ks.normalize, [acc, l], 'output');
  runner.release(acc, l);
  return out;
}

/** Peak bytes of `denseAttention` with spans of `keys` columns: the largest set live at one call. */
export function denseAttentionBytes(rows: number, d: number, keys: number): number {
  const span = rowBlockBytes(rows, spanChunks(keys).width);
  const vec = rowVectorBytes(rows);
  return Math.max(span + 2 * vec, 2 * span + vec, span + 2 * vec + rowBlockBytes(rows, d));
}

/**
 * Softmax attention over the keys in tiles with an online softmax: per tile, scores, the new row
 * max, alpha = exp(old max - new max), weights, the new row sum (old sum x alpha + the tile's)
 * and the output (old output x alpha + the tile's); then normalize.
 */
export async function streamingAttention(runner: KernelRunner, ks: RowBlockKernels, q: DeviceArray, tiles: Iterable<Span>): Promise<DeviceArray> {
  let m = asVector(await runner.run(ks.emptyMax, []));
  let l = asVector(await runner.run(ks.zeros, []));
  let acc = await runner.run(ks.zeroOutput, []);
  const qs = scoreInput(ks, q);
  for (const { k, v, shift, valid } of tiles) {
    const sc = asRowBlocks(await runner.run(ks.scores, [qs, scoreInput(ks, k), shift]), q.height);
    const mNew = asVector(await runner.run(ks.max, [sc, m, shift, valid]));
    const alpha = asVector(await runner.run(ks.rescale, [m, mNew]));
    runner.release(m);
    const p = asRowBlocks(await runner.run(ks.weights, [sc, mNew, POW2, shift, valid]), q.height);
    runner.release(sc);
    const lNew = asVector(await runner.run(ks.sum, [p, l, alpha, shift, valid]));
    runner.release(l);
    const accNew = await runner.run(ks.valuesRescaled, ks.vec4Scores ? [texelRows(p), v, texelRows(acc), alpha, shift, valid] : [p, v, acc, alpha, shift, valid]);
    runner.release(p, alpha, acc);
    m = mNew;
    l = lNew;
    acc = accNew;
  }
  const out = await runner.run(ks.normalize, [acc, l], 'output');
  runner.release(m, l, acc);
  return out;
}

/** Peak bytes of `streamingAttention` with tiles of `keys` keys. */
export function streamingAttentionBytes(rows: number, d: number, keys: number): number {
  const span = rowBlockBytes(rows, spanChunks(keys).width);
  const vec = rowVectorBytes(rows);
  const out = rowBlockBytes(rows, d);
  // Live at alpha: m, l, output, scores, new max, alpha; at the weights: one vector fewer, one span more; at the new output: l's successor instead of l, both outputs, the weights.
  return Math.max(4 * vec + out + span, 3 * vec + out + 2 * span, 3 * vec + 2 * out + span);
}

/** Rows start .. start+rows-1 of a [n x d] array as a [height x d] matrix, zero-padded (a view when no padding is needed). */
export function rowsOf(a: Float32Array, start: number, rows: number, height: number, d: number): DeviceArray {
  if (rows === height) return hostMatrix(a.subarray(start * d, (start + height) * d), d, height);
  const out = new Float32Array(height * d);
  out.set(a.subarray(start * d, (start + rows) * d));
  return hostMatrix(out, d, height);
}
