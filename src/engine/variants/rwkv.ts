import { decayedOutput, decayScanBytes, decayScanKernels, prefixStates } from '../kernels/decay-scan';
import { hostVector, qkvArgs } from '../kernels/runner';
import { scanPasses } from '../kernels/scan';
import type { Qkv } from '../qkv';
import { denseSupport, pickReferenceRows } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * RWKV-v4 WKV operator (Peng et al. 2023) with r = Q, k = K, v = V and the v4 initialisation of
 * the first layer (VARIANTS.md Part A): per channel c, decay w_c = exp(time_decay_c) with
 * time_decay_c = -5 + 8 (c/(d-1))^0.7, bonus u_c = ln 0.3 + 0.5 (((c+1) mod 3) - 1).
 *   wkv_t = (sum_{i<t} e^{-(t-1-i) w + k_i} v_i + e^{u + k_t} v_t) / (same without v),  out_t = sigmoid(r_t) * wkv_t
 * The kernels scan chunks of 16 positions in parallel (decayed, max-tracked prefix states) instead
 * of looping over t, then finish each position inside its chunk.
 */
const RWKV_CHUNK = 16;

function rwkvDecay(d: number): Float32Array {
  return Float32Array.from({ length: d }, (_, c) => Math.exp(-5 + 8 * Math.pow(d === 1 ? 0 : c / (d - 1), 0.7)));
}

function rwkvBonus(d: number): Float32Array {
  return Float32Array.from({ length: d }, (_, c) => Math.log(0.3) + 0.5 * (((c + 1) % 3) - 1));
}

/** Float64 recurrence in the max-tracking form of RWKV_RNN.SA / wkv_cuda.cu: all rows, [n x d]. */
function wkvReference(qkv: Qkv): Float64Array {
  const { n, d, q, k, v } = qkv;
  const w = rwkvDecay(d);
  const u = rwkvBonus(d);
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let p = 0;
    let qq = 0;
    let o = -1e38;
    const wc = -w[c];
    const uc = u[c];
    for (let t = 0; t < n; t++) {
      const kt = k[t * d + c];
      const vt = v[t * d + c];
      let no = Math.max(o, uc + kt);
      let a = Math.exp(o - no);
      let b = Math.exp(uc + kt - no);
      const wkv = (a * p + b * vt) / (a * qq + b);
      out[t * d + c] = wkv / (1 + Math.exp(-q[t * d + c]));
      no = Math.max(o + wc, kt);
      a = Math.exp(o + wc - no);
      b = Math.exp(kt - no);
      p = a * p + b * vt;
      qq = a * qq + b;
      o = no;
    }
  }
  return out;
}

/** Effective weight of v_j in o_i, averaged over channels (gate excluded). */
function rowWeights(_ctx: VariantContext<Record<string, never>>, qkv: Qkv, i: number): Float64Array {
  const { n, d, k } = qkv;
  const w = rwkvDecay(d);
  const u = rwkvBonus(d);
  const out = new Float64Array(n);
  const e = new Float64Array(i + 1);
  for (let c = 0; c < d; c++) {
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      const x = j === i ? u[c] + k[i * d + c] : -(i - 1 - j) * w[c] + k[j * d + c];
      e[j] = x;
      m = Math.max(m, x);
    }
    let z = 0;
    for (let j = 0; j <= i; j++) {
      e[j] = Math.exp(e[j] - m);
      z += e[j];
    }
    for (let j = 0; j <= i; j++) out[j] = out[j] + e[j] / z / d;
  }
  return out;
}

export const rwkv = defineVariant({
  id: 'rwkv',
  name: 'RWKV-v4 WKV',
  family: 'recurrent (linear time)',
  summary: 'per-channel exponentially decayed average of past values plus a bonus for the current token, gated by sigmoid(r): O(N d)',
  params: {},
  directions: 'causal-only',
  map: denseSupport<Record<string, never>>(),
  weights: {
    row: rowWeights,
    distribution: true,
    attribution: 'a_ij = e^{-(i-1-j) w_c + k_jc} / Z_ic (bonus e^{u_c + k_ic} for j = i), mean over channels; the sigmoid gate is left out',
  },
  cost(ctx) {
    const { n, d } = ctx;
    const chunks = Math.ceil(n / RWKV_CHUNK);
    // Chunk states ~8 flops per (position, channel, component); scan ~12 per entry and pass;
    // output: two passes over the earlier positions of the chunk (~8 flops each) and the gate.
    const intra = n * d * ((RWKV_CHUNK - 1) / 2) * 2 * 8;
    const flops = n * d * 3 * 8 + scanPasses(chunks) * chunks * 3 * d * 12 + intra + n * d * 20;
    return { flops, predictedBytes: decayScanBytes(d, chunks), nnz: (n * (n + 1)) / 2 };
  },
  reference: (_ctx, qkv, rows) => pickReferenceRows(wkvReference(qkv), rows, qkv.d),
  plan(ctx, runner) {
    const { n, d } = ctx;
    const scan = decayScanKernels(runner, n, d, RWKV_CHUNK);
    const output = runner.kernel({ name: 'wkv output', fn: decayedOutput, output: [d, n], constants: { n, d, chunk: RWKV_CHUNK } });
    const w = hostVector(rwkvDecay(d));
    const u = hostVector(rwkvBonus(d));
    return {
      async run(qkv) {
        const { q: r, k, v } = qkvArgs(qkv);
        const prefix = await prefixStates(runner, scan, k, v, w);
        const out = await runner.run(output, [r, k, v, prefix, w, u], 'output');
        runner.release(prefix);
        return out;
      },
    };
  },
});
