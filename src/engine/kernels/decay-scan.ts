import type { KernelThis } from './kernel-fn';
import type { DeviceArray, KernelHandle, KernelRunner } from './runner';
import { inclusiveScan } from './scan';

/**
 * Per-channel exponentially decayed prefix sums with max tracking, the WKV state of RWKV-v4:
 *   S_t = sum over i < t of exp(-(t-1-i) w_c + k_ic) (v_ic, 1)
 * kept as (o, p, q) with numerator p e^o and denominator q e^o, as in RWKV's wkv_cuda.cu, so
 * that nothing overflows in float32. With w = 0 it is AFT's prefix sum of e^K (V, 1).
 *
 * States are [3d x chunks]: column x = component * d + channel (component 0 = o, 1 = p, 2 = q);
 * the state of chunk ch covers its positions, as seen from just after its last position.
 */
function chunkState(this: KernelThis, k: number[][], v: number[][], w: number[]): number {
  const d = this.constants.d;
  const x = this.thread.x;
  const comp = Math.floor((x + 0.5) / d);
  const c = x - comp * d;
  const c0 = this.thread.y * this.constants.chunk;
  let last = c0 + this.constants.chunk - 1;
  if (last > this.constants.n - 1) last = this.constants.n - 1;
  let o = -1e30;
  for (let t = 0; t < this.constants.chunk; t++) {
    const i = c0 + t;
    if (i <= last) o = Math.max(o, k[i][c] - (last - i) * w[c]);
  }
  if (comp < 0.5) return o;
  let acc = 0;
  for (let t2 = 0; t2 < this.constants.chunk; t2++) {
    const i2 = c0 + t2;
    if (i2 <= last) {
      const e = Math.exp(k[i2][c] - (last - i2) * w[c] - o);
      if (comp < 1.5) acc += e * v[i2][c];
      else acc += e;
    }
  }
  return acc;
}

/** One scan pass: the state of ch merged with the state of ch - offset, decayed across offset chunks. */
function scanStep(this: KernelThis, s: number[][], offset: number, w: number[]): number {
  const d = this.constants.d;
  const x = this.thread.x;
  const comp = Math.floor((x + 0.5) / d);
  const c = x - comp * d;
  const ch = this.thread.y;
  if (ch < offset) return s[ch][x];
  const prev = ch - offset;
  const oA = s[prev][c] - offset * this.constants.chunk * w[c];
  const oB = s[ch][c];
  const o = Math.max(oA, oB);
  if (comp < 0.5) return o;
  return s[prev][x] * Math.exp(oA - o) + s[ch][x] * Math.exp(oB - o);
}

/** The state of all chunks merged (no decay): AFT's sums over the whole sequence. */
function totalState(this: KernelThis, s: number[][]): number {
  const d = this.constants.d;
  const x = this.thread.x;
  const comp = Math.floor((x + 0.5) / d);
  const c = x - comp * d;
  let o = -1e30;
  for (let ch = 0; ch < this.constants.chunks; ch++) o = Math.max(o, s[ch][c]);
  if (comp < 0.5) return o;
  let acc = 0;
  for (let ch2 = 0; ch2 < this.constants.chunks; ch2++) acc += s[ch2][x] * Math.exp(s[ch2][c] - o);
  return acc;
}

export interface DecayScanKernels {
  chunk: number;
  chunks: number;
  chunkStates: KernelHandle;
  step: KernelHandle;
  total: KernelHandle;
}

export function decayScanKernels(runner: KernelRunner, n: number, d: number, chunk: number): DecayScanKernels {
  const chunks = Math.ceil(n / chunk);
  const constants = { n, d, chunk, chunks };
  return {
    chunk,
    chunks,
    chunkStates: runner.kernel({ name: 'chunk states', fn: chunkState, output: [3 * d, chunks], constants }),
    step: runner.kernel({ name: 'scan step', fn: scanStep, output: [3 * d, chunks], constants }),
    total: runner.kernel({ name: 'total state', fn: totalState, output: [3 * d], constants }),
  };
}

/** Inclusive decayed prefix states: entry ch = state of positions 0 .. end of chunk ch. */
export async function prefixStates(runner: KernelRunner, ks: DecayScanKernels, k: DeviceArray, v: DeviceArray, w: DeviceArray): Promise<DeviceArray> {
  const states = await runner.run(ks.chunkStates, [k, v, w]);
  return inclusiveScan(runner, ks.step, states, ks.chunks, [w]);
}

/** The undecayed state of the whole sequence (bidirectional AFT). */
export async function wholeState(runner: KernelRunner, ks: DecayScanKernels, k: DeviceArray, v: DeviceArray, w: DeviceArray): Promise<DeviceArray> {
  const states = await runner.run(ks.chunkStates, [k, v, w]);
  const total = await runner.run(ks.total, [states]);
  runner.release(states);
  return total;
}

/** Peak bytes: chunk states and their scan (two arrays of 3d x chunks at once). */
export function decayScanBytes(d: number, chunks: number): number {
  return 4 * 3 * d * chunks * (chunks > 1 ? 2 : 1);
}

/**
 * Output at position t, channel c, gated: sigmoid(r_tc) * (S_t + e^{u_c + k_tc} (v_tc, 1)), where S_t
 * merges the prefix state of earlier chunks (decayed to t) with this chunk's earlier positions.
 * RWKV's wkv (w, u from the v4 initialisation); AFT-simple causal with w = u = 0.
 */
export function decayedOutput(this: KernelThis, r: number[][], k: number[][], v: number[][], prefix: number[][], w: number[], u: number[]): number {
  const d = this.constants.d;
  const chunk = this.constants.chunk;
  const c = this.thread.x;
  const t = this.thread.y;
  const ch = Math.floor((t + 0.5) / chunk);
  const c0 = ch * chunk;
  let oPrior = -1e30;
  if (ch > 0) oPrior = prefix[ch - 1][c] - (t - c0) * w[c];
  let m = Math.max(oPrior, u[c] + k[t][c]);
  for (let s = 0; s < chunk; s++) {
    const i = c0 + s;
    if (i < t) m = Math.max(m, k[i][c] - (t - 1 - i) * w[c]);
  }
  let num = 0;
  let den = 0;
  if (ch > 0) {
    const f = Math.exp(oPrior - m);
    num = prefix[ch - 1][d + c] * f;
    den = prefix[ch - 1][2 * d + c] * f;
  }
  for (let s2 = 0; s2 < chunk; s2++) {
    const i2 = c0 + s2;
    if (i2 < t) {
      const e = Math.exp(k[i2][c] - (t - 1 - i2) * w[c] - m);
      num += e * v[i2][c];
      den += e;
    }
  }
  const b = Math.exp(u[c] + k[t][c] - m);
  num += b * v[t][c];
  den += b;
  return num / den / (1 + Math.exp(-r[t][c]));
}
