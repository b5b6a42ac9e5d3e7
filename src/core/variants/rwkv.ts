import { decayedOutput, decayScanBytes, decayScanKernels, prefixStates } from '../kernels/decay-scan';
import { hostMatrix, hostVector } from '../kernels/runner';
import { scanPasses } from '../kernels/scan';
import type { Qkv } from '../qkv';
import { denseSupport } from './common';
import type { Variant, VariantContext } from './types';

/**
 * RWKV-v4 WKV operator (Peng et al. 2023) with r = Q, k = K, v = V and the v4 initialisation of
 * the first layer (VARIANTS.md Part A): per channel c, decay w_c = exp(time_decay_c) with
 * time_decay_c = -5 + 8 (c/(d-1))^0.7, bonus u_c = ln 0.3 + 0.5 (((c+1) mod 3) - 1).
 *   wkv_t = (sum_{i<t} e^{-(t-1-i) w + k_i} v_i + e^{u + k_t} v_t) / (same without v),  out_t = sigmoid(r_t) * wkv_t
 * The kernels scan chunks of 16 positions in parallel (decayed, max-tracked prefix states) instead
 * of looping over t, then finish each position inside its chunk.
 */
export const RWKV_CHUNK = 16;

export function rwkvDecay(d: number): Float32Array {
  return Float32Array.from({ length: d }, (_, c) => Math.exp(-5 + 8 * Math.pow(d === 1 ? 0 : c / (d - 1), 0.7)));
}

export function rwkvBonus(d: number): Float32Array {
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
    const wc = -(w[c] as number);
    const uc = u[c] as number;
    for (let t = 0; t < n; t++) {
      const kt = k[t * d + c] as number;
      const vt = v[t * d + c] as number;
      let no = Math.max(o, uc + kt);
      let a = Math.exp(o - no);
      let b = Math.exp(uc + kt - no);
      const wkv = (a * p + b * vt) / (a * qq + b);
      out[t * d + c] = wkv / (1 + Math.exp(-(q[t * d + c] as number)));
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
function rowWeights(_ctx: VariantContext, qkv: Qkv, i: number): Float64Array {
  const { n, d, k } = qkv;
  const w = rwkvDecay(d);
  const u = rwkvBonus(d);
  const out = new Float64Array(n);
  const e = new Float64Array(i + 1);
  for (let c = 0; c < d; c++) {
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      const x = j === i ? (u[c] as number) + (k[i * d + c] as number) : -(i - 1 - j) * (w[c] as number) + (k[j * d + c] as number);
      e[j] = x;
      m = Math.max(m, x);
    }
    let z = 0;
    for (let j = 0; j <= i; j++) z += Math.exp((e[j] as number) - m);
    for (let j = 0; j <= i; j++) out[j] = (out[j] as number) + Math.exp((e[j] as number) - m) / z / d;
  }
  return out;
}

export const rwkv: Variant = {
  id: 'rwkv',
  name: 'RWKV-v4 WKV',
  family: 'recurrent (linear time)',
  summary: 'per-channel exponentially decayed average of past values plus a bonus for the current token, gated by sigmoid(r): O(N d)',
  params: [],
  directions: 'causal-only',
  directionNote: () => undefined,
  ...denseSupport,
  rowWeights,
  attribution: 'a_ij = e^{-(i-1-j) w_c + k_jc} / Z_ic (bonus e^{u_c + k_ic} for j = i), mean over channels; the sigmoid gate is left out',
  cost(ctx) {
    const { n, d } = ctx;
    const chunks = Math.ceil(n / RWKV_CHUNK);
    // Chunk states ~8 flops per (position, channel, component); scan ~12 per entry and pass;
    // output: two passes over the earlier positions of the chunk (~8 flops each) and the gate.
    const intra = n * d * ((RWKV_CHUNK - 1) / 2) * 2 * 8;
    const flops = n * d * 3 * 8 + scanPasses(chunks) * chunks * 3 * d * 12 + intra + n * d * 20;
    return { flops, predictedBytes: decayScanBytes(d, chunks), nnz: (n * (n + 1)) / 2 };
  },
  reference(_ctx, qkv, rows) {
    const all = wkvReference(qkv);
    const out = new Float64Array(rows.length * qkv.d);
    rows.forEach((i, r) => out.set(all.subarray(i * qkv.d, (i + 1) * qkv.d), r * qkv.d));
    return out;
  },
  plan(ctx, runner) {
    const { n, d } = ctx;
    const scan = decayScanKernels(runner, n, d, RWKV_CHUNK);
    const output = runner.kernel({ name: 'wkv output', fn: decayedOutput, output: [d, n], constants: { n, d, chunk: RWKV_CHUNK } });
    const w = hostVector(rwkvDecay(d));
    const u = hostVector(rwkvBonus(d));
    return {
      async run(qkv) {
        const r = hostMatrix(qkv.q, d, n);
        const k = hostMatrix(qkv.k, d, n);
        const v = hostMatrix(qkv.v, d, n);
        const prefix = await prefixStates(runner, scan, k, v, w);
        const out = await runner.run(output, [r, k, v, prefix, w, u], 'output');
        runner.release(prefix);
        return out;
      },
    };
  },
};
