import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import type { KernelThis } from '../kernels/kernel-fn';
import { qkvArgs } from '../kernels/runner';
import { inclusiveScan, scanPasses } from '../kernels/scan';
import type { Qkv } from '../qkv';
import { denseSupport, pickReferenceRows } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * Linear attention (Katharopoulos et al. 2020) with phi(x) = elu(x) + 1 and no 1/sqrt(d):
 *   o_i = phi(q_i)^T S / (phi(q_i)^T z + eps),  S = sum_j phi(k_j) v_j^T,  z = sum_j phi(k_j)
 * over all j (bidirectional) or j <= i (causal, as running sums). The running sums are computed
 * per chunk of 64 keys (S and z of each chunk), scanned across chunks, and finished inside the
 * chunk with the exact phi(q_i)·phi(k_j) terms, so no kernel loops over N.
 */
const LINEAR_CHUNK = 64;

const params = {
  eps: { kind: 'float', description: 'eps added to the denominator (fast-transformers uses 1e-6; the paper has none)', default: 1e-6, min: 0, max: 1 },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

const phiScalar = (x: number): number => (x > 0 ? x + 1 : Math.exp(x));

function phiRows(a: Float32Array): Float64Array {
  return Float64Array.from(a, phiScalar);
}

/** Effective weights a_ij = phi(q_i)·phi(k_j) / (sum_{j'} phi(q_i)·phi(k_j') + eps). */
function rowWeights(ctx: Ctx, qkv: Qkv, i: number): Float64Array {
  const { n, d } = qkv;
  const eps = ctx.params.eps;
  const pq = phiRows(qkv.q.subarray(i * d, (i + 1) * d));
  const pk = ctx.memo('phi(K)', () => phiRows(qkv.k), qkv);
  const out = new Float64Array(n);
  const last = ctx.causal ? i : n - 1;
  let den = 0;
  for (let j = 0; j <= last; j++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += pq[c] * pk[j * d + c];
    out[j] = dot;
    den += dot;
  }
  for (let j = 0; j <= last; j++) out[j] = out[j] / (den + eps);
  return out;
}

/** Float64 reference in the running-sum form (S_i, z_i), all rows then the requested ones. */
function reference(ctx: Ctx, qkv: Qkv, rows: readonly number[]): Float64Array {
  const { n, d } = qkv;
  const eps = ctx.params.eps;
  const pk = phiRows(qkv.k);
  const pq = phiRows(qkv.q);
  const S = new Float64Array(d * d);
  const z = new Float64Array(d);
  const accumulate = (j: number) => {
    for (let a = 0; a < d; a++) {
      const f = pk[j * d + a];
      z[a] = z[a] + f;
      for (let b = 0; b < d; b++) S[a * d + b] = S[a * d + b] + f * qkv.v[j * d + b];
    }
  };
  const all = new Float64Array(n * d);
  const emit = (i: number) => {
    let den = eps;
    for (let a = 0; a < d; a++) den += pq[i * d + a] * z[a];
    for (let b = 0; b < d; b++) {
      let num = 0;
      for (let a = 0; a < d; a++) num += pq[i * d + a] * S[a * d + b];
      all[i * d + b] = num / den;
    }
  };
  if (ctx.causal) {
    for (let i = 0; i < n; i++) {
      accumulate(i);
      emit(i);
    }
  } else {
    for (let j = 0; j < n; j++) accumulate(j);
    for (let i = 0; i < n; i++) emit(i);
  }
  return pickReferenceRows(all, rows, d);
}

function phi(this: KernelThis, x: number[][]): number {
  const val = x[this.thread.y][this.thread.x];
  if (val > 0) return val + 1;
  return Math.exp(val);
}

/** Chunk sums: column a*d + b holds sum phi(k_j)_a v_jb; columns d*d + a hold sum phi(k_j)_a. */
function chunkSums(this: KernelThis, pk: number[][], v: number[][]): number {
  const d = this.constants.d;
  const x = this.thread.x;
  const c0 = this.thread.y * this.constants.chunk;
  let acc = 0;
  if (x < d * d) {
    const a = Math.floor((x + 0.5) / d);
    const b = x - a * d;
    for (let t = 0; t < this.constants.chunk; t++) {
      const j = c0 + t;
      if (j < this.constants.n) acc += pk[j][a] * v[j][b];
    }
  } else {
    const a2 = x - d * d;
    for (let t2 = 0; t2 < this.constants.chunk; t2++) {
      const j2 = c0 + t2;
      if (j2 < this.constants.n) acc += pk[j2][a2];
    }
  }
  return acc;
}

function scanAdd(this: KernelThis, s: number[][], offset: number): number {
  const ch = this.thread.y;
  const x = this.thread.x;
  if (ch < offset) return s[ch][x];
  return s[ch][x] + s[ch - offset][x];
}

function totalSums(this: KernelThis, s: number[][]): number {
  let acc = 0;
  for (let ch = 0; ch < this.constants.chunks; ch++) acc += s[ch][this.thread.x];
  return acc;
}

/** Causal, within the chunk: A[i][t] = phi(q_i)·phi(k_{c0+t}) for c0 + t <= i, else 0. */
function chunkScores(this: KernelThis, pq: number[][], pk: number[][]): number {
  const i = this.thread.y;
  const j = Math.floor((i + 0.5) / this.constants.chunk) * this.constants.chunk + this.thread.x;
  if (j > i) return 0;
  let acc = 0;
  for (let c = 0; c < this.constants.d; c++) acc += pq[i][c] * pk[j][c];
  return acc;
}

/** Causal denominators: phi(q_i)·z of earlier chunks + this chunk's scores + eps. */
function causalDen(this: KernelThis, pq: number[][], prefix: number[][], a: number[][]): number {
  const d = this.constants.d;
  const i = this.thread.x;
  const ch = Math.floor((i + 0.5) / this.constants.chunk);
  let den = this.constants.eps;
  if (ch > 0) {
    for (let c = 0; c < d; c++) den += pq[i][c] * prefix[ch - 1][d * d + c];
  }
  for (let t = 0; t < this.constants.chunk; t++) den += a[i][t];
  return den;
}

function causalOut(this: KernelThis, pq: number[][], v: number[][], prefix: number[][], a: number[][], den: number[]): number {
  const d = this.constants.d;
  const b = this.thread.x;
  const i = this.thread.y;
  const ch = Math.floor((i + 0.5) / this.constants.chunk);
  const c0 = ch * this.constants.chunk;
  let num = 0;
  if (ch > 0) {
    for (let c = 0; c < d; c++) num += pq[i][c] * prefix[ch - 1][c * d + b];
  }
  for (let t = 0; t < this.constants.chunk; t++) {
    const j = c0 + t;
    if (j <= i) num += a[i][t] * v[j][b];
  }
  return num / den[i];
}

function wholeDen(this: KernelThis, pq: number[][], total: number[]): number {
  const d = this.constants.d;
  const i = this.thread.x;
  let den = this.constants.eps;
  for (let c = 0; c < d; c++) den += pq[i][c] * total[d * d + c];
  return den;
}

function wholeOut(this: KernelThis, pq: number[][], total: number[], den: number[]): number {
  const d = this.constants.d;
  const b = this.thread.x;
  const i = this.thread.y;
  let num = 0;
  for (let c = 0; c < d; c++) num += pq[i][c] * total[c * d + b];
  return num / den[i];
}

function sizes(ctx: Ctx) {
  const { n, d } = ctx;
  const chunks = Math.ceil(n / LINEAR_CHUNK);
  return { n, d, chunks, width: d * d + d };
}

function cost(ctx: Ctx) {
  const { n, d, chunks, width } = sizes(ctx);
  const nnz = ctx.causal ? (n * (n + 1)) / 2 : n * n;
  const phiFlops = 2 * n * d * 2;
  const sums = 2 * n * width;
  if (ctx.causal) {
    const flops =
      phiFlops + sums + scanPasses(chunks) * chunks * width + 2 * n * LINEAR_CHUNK * d + 2 * n * d + n * LINEAR_CHUNK + 2 * n * d * d + 2 * n * LINEAR_CHUNK * d + n * d;
    // phi(Q), phi(K), and at the peak: two scan arrays (or chunk sums and prefix), A [N x chunk], den.
    const scan = 4 * width * chunks * (chunks > 1 ? 2 : 1);
    const later = 4 * (width * chunks + n * LINEAR_CHUNK + n);
    return { flops, predictedBytes: 4 * 2 * n * d + Math.max(scan, later), nnz };
  }
  const flops = phiFlops + sums + chunks * width + 2 * n * d + 2 * n * d * d + n * d;
  return { flops, predictedBytes: 4 * (2 * n * d + width * chunks + width + n), nnz };
}

export const linear = defineVariant({
  id: 'linear',
  name: 'Linear attention',
  family: 'kernelized (linear time)',
  summary: 'softmax replaced by the feature map elu(x)+1, so (phi(Q) phi(K)^T) V is computed as phi(Q) (phi(K)^T V): O(N d^2)',
  params,
  directions: 'both',
  map: denseSupport<ParamValuesOf<typeof params>>(),
  weights: { row: rowWeights, distribution: true, attribution: "a_ij = phi(q_i)·phi(k_j) / (sum_j' phi(q_i)·phi(k_j') + eps); rows sum to 1 - eps/(den + eps)" },
  cost,
  reference,
  plan(ctx, runner) {
    const { n, d, chunks, width } = sizes(ctx);
    const constants = { n, d, chunk: LINEAR_CHUNK, chunks, eps: ctx.params.eps };
    const phiK = runner.kernel({ name: 'phi', fn: phi, output: [d, n], constants });
    const sumsK = runner.kernel({ name: 'chunk sums', fn: chunkSums, output: [width, chunks], constants });
    /** phi(Q), phi(K) and the chunk sums of phi(K) V^T and phi(K): how both directions start. */
    const featureSums = async (qkv: Qkv) => {
      const { q, k, v } = qkvArgs(qkv);
      const pq = await runner.run(phiK, [q]);
      const pk = await runner.run(phiK, [k]);
      const sums = await runner.run(sumsK, [pk, v]);
      return { pq, pk, sums, v };
    };
    if (ctx.causal) {
      const stepK = runner.kernel({ name: 'scan step', fn: scanAdd, output: [width, chunks], constants });
      const scoresK = runner.kernel({ name: 'chunk scores', fn: chunkScores, output: [LINEAR_CHUNK, n], constants });
      const denK = runner.kernel({ name: 'denominator', fn: causalDen, output: [n], constants });
      const outK = runner.kernel({ name: 'output', fn: causalOut, output: [d, n], constants });
      return {
        async run(qkv) {
          const { pq, pk, sums, v } = await featureSums(qkv);
          const prefix = await inclusiveScan(runner, stepK, sums, chunks);
          const a = await runner.run(scoresK, [pq, pk]);
          const den = await runner.run(denK, [pq, prefix, a]);
          const out = await runner.run(outK, [pq, v, prefix, a, den], 'output');
          runner.release(pq, pk, prefix, a, den);
          return out;
        },
      };
    }
    const totalK = runner.kernel({ name: 'total sums', fn: totalSums, output: [width], constants });
    const denK = runner.kernel({ name: 'denominator', fn: wholeDen, output: [n], constants });
    const outK = runner.kernel({ name: 'output', fn: wholeOut, output: [d, n], constants });
    return {
      async run(qkv) {
        const { pq, pk, sums } = await featureSums(qkv);
        const total = await runner.run(totalK, [sums]);
        const den = await runner.run(denK, [pq, total]);
        const out = await runner.run(outK, [pq, total, den], 'output');
        runner.release(pq, pk, sums, total, den);
        return out;
      },
    };
  },
});
