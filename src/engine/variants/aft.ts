import { enumParam, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import { decayedOutput, decayScanBytes, decayScanKernels, prefixStates, wholeState } from '../kernels/decay-scan';
import type { KernelThis } from '../kernels/kernel-fn';
import { hostMatrix, hostVector, qkvArgs, type DeviceArray } from '../kernels/runner';
import { POW2 } from '../kernels/row-blocks';
import { scanPasses } from '../kernels/scan';
import type { Qkv } from '../qkv';
import { denseSupport } from './reference';
import { seededWeights } from './seeded';
import { defineVariant, type VariantContext } from './variant';

/**
 * Attention-free transformer (Zhai et al. 2021), the paper's additive formula:
 *   Y_t = sigmoid(Q_t) * sum_{t'} exp(K_t' + w_tt') V_t' / sum_{t'} exp(K_t' + w_tt')   (t' <= t if causal)
 * simple: w = 0; local: w_tt' seeded where |t-t'| < s and 0 outside (0, not -inf: every position
 * still contributes); full: w seeded for every pair (N x N parameters). w ~ N(0, 0.5^2), seeded.
 * simple and local use the chunked prefix (causal) or whole-sequence (bidirectional) sums of
 * e^K (V, 1) with max tracking; local adds the band correction e^K (e^w - 1) (V, 1).
 */
const AFT_CHUNK = 64;
const W_SCALE = 0.5;

const params = {
  mode: enumParam({ description: "simple: w = 0; local: w only where |t-t'| < s; full: w for every pair (N x N)", default: 'local', choices: ['simple', 'local', 'full'] }),
  window: { kind: 'int', description: "AFT-local window s: w applies where |t-t'| < s", default: 32, min: 1, max: { text: 'N', at: (n: number) => n } },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function settings(ctx: Ctx): { mode: Ctx['params']['mode']; s: number } {
  return { mode: ctx.params.mode, s: ctx.params.window };
}

/** Band biases w[t][o] for t' = t - (s-1) + o, o < 2s-1 (local); one dummy value otherwise. */
function bandBias(ctx: Ctx): Float32Array {
  const { mode, s } = settings(ctx);
  return mode === 'local' ? seededWeights(ctx, 'aft.w.local', ctx.n * (2 * s - 1), W_SCALE) : new Float32Array(1);
}

function fullBias(ctx: Ctx): Float32Array {
  return seededWeights(ctx, 'aft.w.full', ctx.n * ctx.n, W_SCALE);
}

/** w_tt' for the reference and the map (exported for the test that compares where it applies with the golden band). */
export function aftBias(ctx: Ctx): (t: number, tp: number) => number {
  const { mode, s } = settings(ctx);
  if (mode === 'simple') return () => 0;
  if (mode === 'full') {
    const w = fullBias(ctx);
    return (t, tp) => w[t * ctx.n + tp];
  }
  const w = bandBias(ctx);
  return (t, tp) => (Math.abs(t - tp) < s ? w[t * (2 * s - 1) + tp - t + s - 1] : 0);
}

/** K or V as [d x N] (channel-major, float64), once per input set: the reference reads a channel at a time. */
function byChannel(ctx: Ctx, qkv: Qkv, which: 'k' | 'v'): Float64Array {
  return ctx.memo(
    `aft.${which}ByChannel`,
    () => {
      const { n, d } = qkv;
      const a = qkv[which];
      const out = new Float64Array(d * n);
      for (let tp = 0; tp < n; tp++) for (let c = 0; c < d; c++) out[c * n + tp] = a[tp * d + c];
      return out;
    },
    qkv,
  );
}

/**
 * exp(K[t'][c] - max over t' of K[t'][c]) as [d x N], once per input set: the reference's
 * exponentials factor as e^(K + w) = e^K e^w, so a row needs N exponentials, not N d.
 */
function expKeysByChannel(ctx: Ctx, qkv: Qkv): Float64Array {
  return ctx.memo(
    'aft.expKeys',
    () => {
      const { n, d } = qkv;
      const out = Float64Array.from(byChannel(ctx, qkv, 'k'));
      for (let c = 0; c < d; c++) {
        const row = out.subarray(c * n, (c + 1) * n);
        let m = -Infinity;
        for (const x of row) m = Math.max(m, x);
        for (let tp = 0; tp < n; tp++) row[tp] = Math.exp(row[tp] - m);
      }
      return out;
    },
    qkv,
  );
}

/**
 * Float64 weights a_{t,t',c} of row t, one channel at a time: e^(K + w) normalised over the
 * row's support. A channel whose factored exponentials (nearly) all underflow (K + w spread over
 * more than about 600 below the maxima) is computed directly, shifted by its own row maximum.
 */
function forEachChannelWeights(ctx: Ctx, qkv: Qkv, t: number, visit: (c: number, weights: Float64Array, support: number) => void): void {
  const { n, d, k } = qkv;
  const w = aftBias(ctx);
  const last = ctx.causal ? t : n - 1;
  const biasRow = Float64Array.from({ length: last + 1 }, (_, tp) => w(t, tp));
  let biasMax = -Infinity;
  for (const b of biasRow) biasMax = Math.max(biasMax, b);
  const expBias = biasRow.map((b) => Math.exp(b - biasMax));
  const expKeys = expKeysByChannel(ctx, qkv);
  const e = new Float64Array(n);
  for (let c = 0; c < d; c++) {
    const at = c * n;
    let z = 0;
    for (let tp = 0; tp <= last; tp++) {
      const x = expKeys[at + tp] * expBias[tp];
      e[tp] = x;
      z += x;
    }
    if (!(z > 1e-270 && Number.isFinite(z))) z = directChannelWeights(k, d, c, biasRow, e);
    for (let tp = 0; tp <= last; tp++) e[tp] = e[tp] / z;
    visit(c, e, last + 1);
  }
}

/** e[t'] = exp(K[t'][c] + w[t'] - their max) for t' < bias.length; returns their sum. */
function directChannelWeights(k: Float32Array, d: number, c: number, bias: Float64Array, e: Float64Array): number {
  let m = -Infinity;
  for (let tp = 0; tp < bias.length; tp++) {
    e[tp] = k[tp * d + c] + bias[tp];
    m = Math.max(m, e[tp]);
  }
  let z = 0;
  for (let tp = 0; tp < bias.length; tp++) {
    e[tp] = Math.exp(e[tp] - m);
    z += e[tp];
  }
  return z;
}

function rowWeights(ctx: Ctx, qkv: Qkv, t: number): Float64Array {
  const out = new Float64Array(qkv.n);
  forEachChannelWeights(ctx, qkv, t, (_c, a, support) => {
    for (let tp = 0; tp < support; tp++) out[tp] = out[tp] + a[tp] / qkv.d;
  });
  return out;
}

function reference(ctx: Ctx, qkv: Qkv, rows: readonly number[]): Float64Array {
  const { n, d, q } = qkv;
  const v = byChannel(ctx, qkv, 'v');
  const out = new Float64Array(rows.length * d);
  rows.forEach((t, r) => {
    forEachChannelWeights(ctx, qkv, t, (c, a, support) => {
      let acc = 0;
      for (let tp = 0; tp < support; tp++) acc += a[tp] * v[c * n + tp];
      out[r * d + c] = acc / (1 + Math.exp(-q[t * d + c]));
    });
  });
  return out;
}

/**
 * Causal local: prefix state of earlier chunks + this chunk up to t (weights e^K), then the band
 * t-s < t' <= t re-weighted to e^{K + w}. Every exponent is <= 0 (m is the max over all of them),
 * so the exponentials are row-blocks.ts's arithmetic exp (see blockWeights there: webasm calls
 * out to JavaScript for Math.exp once per lane, which was most of this kernel's time).
 */
function localCausalOutput(this: KernelThis, q: number[][], k: number[][], v: number[][], prefix: number[][], wb: number[][], pow2: number[]): number {
  const d = this.constants.d;
  const chunk = this.constants.chunk;
  const s = this.constants.s;
  const c = this.thread.x;
  const t = this.thread.y;
  const ch = Math.floor((t + 0.5) / chunk);
  const c0 = ch * chunk;
  let m = -1e30;
  if (ch > 0) m = prefix[ch - 1][c];
  for (let x = 0; x < chunk; x++) {
    const i = c0 + x;
    if (i <= t) m = Math.max(m, k[i][c]);
  }
  for (let o = 0; o < s; o++) {
    const tp = t - s + 1 + o;
    if (tp >= 0) m = Math.max(m, k[tp][c] + wb[t][o]);
  }
  let num = 0;
  let den = 0;
  if (ch > 0) {
    const f = Math.exp(prefix[ch - 1][c] - m);
    num = prefix[ch - 1][d + c] * f;
    den = prefix[ch - 1][2 * d + c] * f;
  }
  for (let x2 = 0; x2 < chunk; x2++) {
    const i2 = c0 + x2;
    if (i2 <= t) {
      const z = Math.min(Math.max(k[i2][c] - m, -87), 0);
      const n = Math.floor(z * 1.4426950408889634 + 0.5);
      const f = z - n * 0.693145751953125 - n * 1.4286068202862268e-6;
      const e = (1 + f * (1 + f * (0.5 + f * (0.16666666666666666 + f * (0.041666666666666664 + f * (0.008333333333333333 + f * 0.001388888888888889)))))) * pow2[-n];
      num += e * v[i2][c];
      den += e;
    }
  }
  for (let o2 = 0; o2 < s; o2++) {
    const tp2 = t - s + 1 + o2;
    if (tp2 >= 0) {
      const zw = Math.min(Math.max(k[tp2][c] + wb[t][o2] - m, -87), 0);
      const nw = Math.floor(zw * 1.4426950408889634 + 0.5);
      const fw = zw - nw * 0.693145751953125 - nw * 1.4286068202862268e-6;
      const ew = (1 + fw * (1 + fw * (0.5 + fw * (0.16666666666666666 + fw * (0.041666666666666664 + fw * (0.008333333333333333 + fw * 0.001388888888888889)))))) * pow2[-nw];
      const z0 = Math.min(Math.max(k[tp2][c] - m, -87), 0);
      const n0 = Math.floor(z0 * 1.4426950408889634 + 0.5);
      const f0 = z0 - n0 * 0.693145751953125 - n0 * 1.4286068202862268e-6;
      const e0 = (1 + f0 * (1 + f0 * (0.5 + f0 * (0.16666666666666666 + f0 * (0.041666666666666664 + f0 * (0.008333333333333333 + f0 * 0.001388888888888889)))))) * pow2[-n0];
      num += (ew - e0) * v[tp2][c];
      den += ew - e0;
    }
  }
  return num / den / (1 + Math.exp(-q[t][c]));
}

/** Bidirectional simple and local: sums over the whole sequence, then the band |t-t'| < s re-weighted. */
function wholeOutput(this: KernelThis, q: number[][], k: number[][], v: number[][], total: number[], wb: number[][]): number {
  const d = this.constants.d;
  const s = this.constants.s;
  const c = this.thread.x;
  const t = this.thread.y;
  let m = total[c];
  for (let o = 0; o < 2 * s - 1; o++) {
    const tp = t - s + 1 + o;
    if (tp >= 0 && tp < this.constants.n) m = Math.max(m, k[tp][c] + wb[t][o]);
  }
  const f = Math.exp(total[c] - m);
  let num = total[d + c] * f;
  let den = total[2 * d + c] * f;
  for (let o2 = 0; o2 < 2 * s - 1; o2++) {
    const tp2 = t - s + 1 + o2;
    if (tp2 >= 0 && tp2 < this.constants.n) {
      const diff = Math.exp(k[tp2][c] + wb[t][o2] - m) - Math.exp(k[tp2][c] - m);
      num += diff * v[tp2][c];
      den += diff;
    }
  }
  return num / den / (1 + Math.exp(-q[t][c]));
}

/** AFT-full: two passes over every visible t' (max, then sums); no intermediate arrays. */
function fullOutput(this: KernelThis, q: number[][], k: number[][], v: number[][], w: number[][]): number {
  const c = this.thread.x;
  const t = this.thread.y;
  let last = this.constants.n - 1;
  if (this.constants.causal > 0) last = t;
  let m = -1e30;
  for (let tp = 0; tp < this.constants.n; tp++) {
    if (tp <= last) m = Math.max(m, k[tp][c] + w[t][tp]);
  }
  let num = 0;
  let den = 0;
  for (let tp2 = 0; tp2 < this.constants.n; tp2++) {
    if (tp2 <= last) {
      const e = Math.exp(k[tp2][c] + w[t][tp2] - m);
      num += e * v[tp2][c];
      den += e;
    }
  }
  return num / den / (1 + Math.exp(-q[t][c]));
}

function cost(ctx: Ctx) {
  const { n, d, causal } = ctx;
  const { mode, s } = settings(ctx);
  const nnz = causal ? (n * (n + 1)) / 2 : n * n;
  const chunks = Math.ceil(n / AFT_CHUNK);
  if (mode === 'full') return { flops: nnz * d * 8 + n * d * 5, predictedBytes: 0, nnz };
  const band = mode === 'local' ? (causal ? s : 2 * s - 1) : 0;
  const bandFlops = n * d * band * 12;
  if (causal) {
    const flops = n * d * 3 * 8 + scanPasses(chunks) * chunks * 3 * d * 12 + n * d * AFT_CHUNK * 8 + bandFlops + n * d * 10;
    return { flops, predictedBytes: decayScanBytes(d, chunks), nnz };
  }
  return { flops: n * d * 3 * 8 + chunks * 3 * d * 4 + bandFlops + n * d * 10, predictedBytes: 4 * 3 * d * (chunks + 1), nnz };
}

export const aft = defineVariant({
  id: 'aft',
  name: 'Attention-free transformer',
  family: 'attention-free',
  summary: 'per-channel softmax over positions of K + w (a learned position bias), applied to V and gated by sigmoid(Q); no QK^T',
  params,
  directions: 'both',
  map: denseSupport<ParamValuesOf<typeof params>>(),
  weights: { row: rowWeights, distribution: true, attribution: "a_ij = exp(K_jc + w_ij) / sum_j' exp(K_j'c + w_ij'), mean over channels; the sigmoid(Q) gate is left out" },
  cost,
  weightBytes(ctx) {
    const { mode, s } = settings(ctx);
    if (mode === 'full') return 4 * ctx.n * ctx.n;
    return mode === 'local' ? 4 * ctx.n * (2 * s - 1) : 0;
  },
  reference,
  plan(ctx, runner) {
    const { n, d, causal } = ctx;
    const { mode, s } = settings(ctx);
    const constants = { n, d, s: mode === 'local' ? s : 0, chunk: AFT_CHUNK, causal: causal ? 1 : 0 };
    const zeros = hostVector(new Float32Array(d));
    if (mode === 'full') {
      const kernel = runner.kernel({ name: 'aft-full output', fn: fullOutput, output: [d, n], constants });
      const w = hostMatrix(fullBias(ctx), n, n);
      return {
        run: (qkv) => {
          const { q, k, v } = qkvArgs(qkv);
          return runner.run(kernel, [q, k, v, w], 'output');
        },
      };
    }
    const scan = decayScanKernels(runner, n, d, AFT_CHUNK);
    const wb = mode === 'local' ? hostMatrix(bandBias(ctx), 2 * s - 1, n) : hostMatrix(new Float32Array(n), 1, n);
    if (causal) {
      // simple causal is exactly the decayed output with w = u = 0.
      const output =
        mode === 'simple'
          ? runner.kernel({ name: 'aft output', fn: decayedOutput, output: [d, n], constants })
          : runner.kernel({ name: 'aft-local output', fn: localCausalOutput, output: [d, n], constants });
      return {
        async run(qkv) {
          const { q, k, v } = qkvArgs(qkv);
          const prefix = await prefixStates(runner, scan, k, v, zeros);
          const args: DeviceArray[] = mode === 'simple' ? [q, k, v, prefix, zeros, zeros] : [q, k, v, prefix, wb, POW2];
          const out = await runner.run(output, args, 'output');
          runner.release(prefix);
          return out;
        },
      };
    }
    const output = runner.kernel({ name: 'aft output', fn: wholeOutput, output: [d, n], constants });
    return {
      async run(qkv) {
        const { q, k, v } = qkvArgs(qkv);
        const total = await wholeState(runner, scan, k, v, zeros);
        const out = await runner.run(output, [q, k, v, total, wb], 'output');
        runner.release(total);
        return out;
      },
    };
  },
});
