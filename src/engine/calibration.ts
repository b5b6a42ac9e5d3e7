import type { Ceiling } from '../model/efficiency';
import { gflopsOf } from '../model/efficiency';
import type { BackendSelection } from '../model/report';
import { errorSummary } from '../model/errors';
import type { KernelThis } from './kernels/kernel-fn';
import { CancelledError, hostMatrix, KernelRunner } from './kernels/runner';
import { median } from './measure';
import { currentPlatform } from './platform';
import { Rng } from './rng';

/**
 * Bumped whenever the calibration kernel or the code gpu.js makes of it changes (3: the webasm
 * backend loads neighbouring cells with one v128.load, patches/gpu.js+2.24.1.patch), so that
 * cached ceilings of an older kernel are measured again.
 */
const CALIBRATION_VERSION = 3;
const D = 64;
/** Lengths tried in turn: the first whose run takes at least MIN_RUN_MS (or the last) is timed. */
const LENGTHS = [256, 512, 1024] as const;
const MIN_RUN_MS = 15;
const TIMING = { warmups: 1, minRuns: 5, maxRuns: 20, budgetMs: 300 } as const;

export const CALIBRATION_KERNEL = `dense Q K^T, d = ${D}, each thread 4 query rows x 1 key (the row-block kernels' shape)`;

/** headless-gl reads Q and K as vec4 texels, as the row-block scores kernel does there (llvmpipe is bound by texture fetches). */
const readsVec4 = (selection: BackendSelection) => selection.selected === 'headlessgl';

/**
 * Dense scores, 4 query rows per thread and one key (K transposed, so the 4 lanes of webasm's SIMD
 * path read consecutive keys): the arithmetic of the engine's row-block kernels with no mask, the most
 * this backend does for attention-shaped work.
 */
function scores4(this: KernelThis, q: number[][], kt: number[][]): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let c = 0; c < this.constants.d; c++) {
    const k = kt[c][this.thread.x];
    a0 += q[this.thread.y * 4][c] * k;
    a1 += q[this.thread.y * 4 + 1][c] * k;
    a2 += q[this.thread.y * 4 + 2][c] * k;
    a3 += q[this.thread.y * 4 + 3][c] * k;
  }
  return a0 + a1 + a2 + a3;
}

/** scores4 with Q and K (not transposed) read as vec4 texels: headless-gl's shape (see readsVec4). */
function scores4Vec4(this: KernelThis, q: number[][][], k: number[][][]): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let h = 0; h < this.constants.d4; h++) {
    const kv = k[this.thread.x][h];
    const q0 = q[this.thread.y * 4][h];
    const q1 = q[this.thread.y * 4 + 1][h];
    const q2 = q[this.thread.y * 4 + 2][h];
    const q3 = q[this.thread.y * 4 + 3][h];
    a0 += q0[0] * kv[0] + q0[1] * kv[1] + q0[2] * kv[2] + q0[3] * kv[3];
    a1 += q1[0] * kv[0] + q1[1] * kv[1] + q1[2] * kv[2] + q1[3] * kv[3];
    a2 += q2[0] * kv[0] + q2[1] * kv[1] + q2[2] * kv[2] + q2[3] * kv[3];
    a3 += q3[0] * kv[0] + q3[1] * kv[1] + q3[2] * kv[2] + q3[3] * kv[3];
  }
  return a0 + a1 + a2 + a3;
}

/** Rows of a row-major [rows x D] array as vec4 views, the form gpu.js takes for 'Array2D(4)' arguments. */
function vec4Rows(data: Float32Array, rows: number): Float32Array[][] {
  return Array.from({ length: rows }, (_, y) => Array.from({ length: D / 4 }, (_, h) => data.subarray(y * D + h * 4, y * D + h * 4 + 4)));
}

/** The key a ceiling is cached under: backend, threads, device, machine and the kernel's version. */
export function ceilingKey(selection: BackendSelection): { key: string; machine: string } {
  const env = currentPlatform().environment();
  const machine = `${env.cpu} x${env.cpuCount}, ${env.platform}-${env.arch}, node ${env.node}, gpu.js ${env.gpujs}${selection.device ? `, ${selection.device}` : ''}`;
  return { key: `v${CALIBRATION_VERSION} ${selection.selected} threads=${selection.threads} | ${machine}`, machine };
}

export interface CeilingOutcome {
  ceiling?: Ceiling;
  /** Why there is no ceiling, or why it was not cached. */
  note?: string;
}

/**
 * The backend's ceiling on this machine: from the cache when measured before (and not
 * `recalibrate`), else measured now with the calibration kernel and cached with its date.
 * Never fails the run: a calibration that cannot run gives no ceiling and a note saying why.
 */
export async function backendCeiling(selection: BackendSelection, options: { recalibrate?: boolean; shouldCancel?: () => boolean } = {}): Promise<CeilingOutcome> {
  const cache = currentPlatform().ceilings;
  const { key, machine } = ceilingKey(selection);
  const cached = options.recalibrate ? undefined : cache.read(key);
  if (cached) return { ceiling: { ...cached, fromCache: true } };
  let gflops: number;
  try {
    gflops = await measureCeiling(selection, options.shouldCancel ?? (() => false));
  } catch (err) {
    if (err instanceof CancelledError) return { note: 'the calibration was cancelled' };
    return { note: `the calibration kernel did not run on ${selection.selected}: ${errorSummary(err)}` };
  }
  const ceiling: Ceiling = {
    backend: selection.selected,
    threads: selection.threads,
    gflops,
    kernel: readsVec4(selection) ? `${CALIBRATION_KERNEL}, Q and K read as vec4 texels` : CALIBRATION_KERNEL,
    measuredAt: new Date().toISOString(),
    machine,
    fromCache: false,
  };
  const notStored = cache.write(key, ceiling);
  return notStored ? { ceiling, note: `the ceiling is not cached (${notStored}); it will be measured again next time` } : { ceiling };
}

async function measureCeiling(selection: BackendSelection, shouldCancel: () => boolean): Promise<number> {
  const gpu = currentPlatform().createGpu(selection.selected);
  const runner = new KernelRunner(gpu, selection.selected, shouldCancel, selection.threads);
  try {
    for (const n of LENGTHS) {
      const { q, kt } = calibrationInputs(n);
      const vec4 = readsVec4(selection);
      const kernel = vec4
        ? runner.kernel({ name: 'calibration', fn: scores4Vec4, output: [n, n / 4], constants: { d4: D / 4 }, argumentTypes: { q: 'Array2D(4)', k: 'Array2D(4)' } })
        : runner.kernel({ name: 'calibration', fn: scores4, output: [n, n / 4], constants: { d: D } });
      const args = vec4 ? [{ raw: vec4Rows(q.data, n) }, { raw: vec4Rows(transpose(kt.data, D, n), n) }] : [q, kt];
      const first = await runner.run(kernel, args);
      checkCalibration(first.data, q.data, kt.data, n);
      const runs: number[] = [];
      for (let w = 0; w < TIMING.warmups; w++) await runner.run(kernel, args);
      const start = performance.now();
      while (runs.length < TIMING.minRuns || (runs.length < TIMING.maxRuns && performance.now() - start < TIMING.budgetMs)) {
        const t = performance.now();
        await runner.run(kernel, args);
        runs.push(performance.now() - t);
      }
      const ms = median(runs);
      if (ms >= MIN_RUN_MS || n === LENGTHS[LENGTHS.length - 1]) return gflopsOf(2 * n * n * D, ms);
    }
    throw new Error('no calibration length');
  } finally {
    runner.dispose();
    void gpu.destroy();
  }
}

function calibrationInputs(n: number): { q: ReturnType<typeof hostMatrix>; kt: ReturnType<typeof hostMatrix> } {
  const rng = new Rng(n);
  const q = new Float32Array(n * D).map(() => rng.next() - 0.5);
  const kt = new Float32Array(D * n).map(() => rng.next() - 0.5);
  return { q: hostMatrix(q, D, n), kt: hostMatrix(kt, n, D) };
}

/** A row-major [rows x cols] array transposed. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** A ceiling is only worth something if the kernel computed the right numbers: a few cells against float64. */
function checkCalibration(out: Float32Array, q: Float32Array, kt: Float32Array, n: number): void {
  for (const [x, y] of [
    [0, 0],
    [n - 1, n / 4 - 1],
    [n >> 1, n >> 3],
  ] as const) {
    let expected = 0;
    for (let r = 0; r < 4; r++) for (let c = 0; c < D; c++) expected += q[(4 * y + r) * D + c] * kt[c * n + x];
    const got = out[y * n + x];
    if (!(Math.abs(got - expected) <= 1e-3 * (1 + Math.abs(expected)))) throw new Error(`the calibration kernel computed ${got} instead of ${expected}`);
  }
}
