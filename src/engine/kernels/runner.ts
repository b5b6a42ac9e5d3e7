import { Input, type GPU } from 'gpu.js';
import type { BackendName } from '../../model/backends';
import { kernelMode } from '../backends';
import type { Qkv } from '../qkv';
import type { KernelFn } from './kernel-fn';

/**
 * A float32 array produced by a kernel (or handed to one), row-major, `height` rows of `width`.
 * `rank` says how kernels index it: rank 1 as a[x], rank 2 as a[y][x].
 */
export interface DeviceArray {
  data: Float32Array;
  width: number;
  height: number;
  rank: 1 | 2;
}

export function bytesOf(a: DeviceArray): number {
  return a.width * a.height * 4;
}

/** Wraps a host array (Q, K, V, seeded weights) for kernels, without counting it as an intermediate. */
export function hostMatrix(data: Float32Array, width: number, height: number): DeviceArray {
  if (data.length !== width * height) throw new Error(`hostMatrix: ${data.length} values for ${height} x ${width}`);
  return { data, width, height, rank: 2 };
}

export function hostVector(data: Float32Array): DeviceArray {
  return { data, width: data.length, height: 1, rank: 1 };
}

/** Q, K and V of an input set as kernel arguments: the one wrapper every variant uses. */
export function qkvArgs(qkv: Qkv): { q: DeviceArray; k: DeviceArray; v: DeviceArray } {
  return { q: hostMatrix(qkv.q, qkv.d, qkv.n), k: hostMatrix(qkv.k, qkv.d, qkv.n), v: hostMatrix(qkv.v, qkv.d, qkv.n) };
}

/** A kernel of a variant: its function (transpiled by gpu.js), output shape and constants. */
export interface KernelSpec {
  name: string;
  fn: KernelFn;
  /** [width] for a vector, [width, height] for a matrix (thread.x < width, thread.y < height). */
  output: [number] | [number, number];
  constants?: Record<string, number>;
  /** Helper functions the kernel calls, as sources named by `kernelFunction`. */
  functions?: string[];
  /** gpu.js argument types by name, where its detection from the values is not wanted. */
  argumentTypes?: Record<string, string>;
  /**
   * Values per thread: 'Array(4)' (2-D outputs) or 'Array(2)' (1-D outputs) returns that many
   * numbers per thread, stored next to each other: the result is `components` x width wide.
   */
  returnType?: 'Array(2)' | 'Array(4)';
}

/** Numbers each thread of a kernel returns. */
export function componentsOf(spec: Pick<KernelSpec, 'returnType'>): number {
  return spec.returnType === 'Array(4)' ? 4 : spec.returnType === 'Array(2)' ? 2 : 1;
}

/** A kernel argument: a device array, a number, or a value passed to gpu.js as it is. */
export type KernelArgument = DeviceArray | number | { raw: unknown };

/**
 * A kernel gpu.js compiled, as this runner uses it. gpu.js's own typings name browser types
 * (canvases, images) that the Node build of the engine does not have, so the runner states the
 * part it calls.
 */
export interface CompiledKernel {
  (...args: unknown[]): unknown;
  destroy(removeCanvasReferences?: boolean): void;
  /** The backend kernel gpu.js built (or the CPU kernel it fell back to). */
  kernel?: BackendKernel;
}

/** The parts of gpu.js's backend kernels that `keepFlatResults` replaces (see there). */
interface BackendKernel {
  constructor: { mode?: string };
  /** A spare array the next webasm run writes its result into (patches/gpu.js+2.24.1.patch). */
  outputTarget?: Float32Array | null;
  fallbackReason?: string | null;
  _shapeOutput?: (data: Float32Array, ...rest: unknown[]) => unknown;
  renderValues?: () => unknown;
  transferValues?: () => Float32Array;
  texSize?: number[];
  output?: number[];
}

export interface KernelHandle {
  spec: KernelSpec;
  shortcut: CompiledKernel;
}

/** A kernel that gpu.js ran on another backend than the one asked for (it does so quietly). */
export interface KernelFallback {
  kernel: string;
  ranOn: string;
  reason: string;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * Creates and calls the gpu.js kernels of one variant on one backend, and measures what they
 * allocate: every kernel result is a fresh array whose bytes count as live from the call that
 * made it until the variant releases it; the peak of that sum is the measured memory.
 * The final output O is not an intermediate and is not counted.
 */
export class KernelRunner {
  private readonly handles: KernelHandle[] = [];
  private liveBytes = 0;
  private peakLiveBytes = 0;
  private readonly fallbacks = new Map<string, KernelFallback>();
  /** Result buffers of released arrays, by byte length, for later webasm results of that size. */
  private readonly spares = new Map<number, ArrayBuffer[]>();
  private readonly spareSet = new WeakSet<ArrayBuffer>();
  /** Buffers of webasm results (only those may be handed back to gpu.js as spares). */
  private readonly resultBuffers = new WeakSet<ArrayBufferLike>();
  readonly warnings: string[] = [];
  kernelCalls = 0;

  /**
   * `threads` > 1 puts webasm kernels under gpu.js's async mode, which splits them over a worker
   * pool of that size; 1 runs them on this thread (steadier timings: the pool's dispatch cost and
   * its parallel efficiency both change with N, which bends the scaling curves).
   */
  constructor(
    private readonly gpu: GPU,
    readonly backend: BackendName,
    private readonly shouldCancel: () => boolean = () => false,
    private readonly threads = 1,
  ) {}

  kernel(spec: KernelSpec): KernelHandle {
    const shortcut: CompiledKernel = this.gpu.createKernel(
      spec.fn as never,
      {
        output: spec.output,
        constants: spec.constants ?? {},
        functions: (spec.functions ?? []) as never,
        precision: 'single',
        tactic: 'precision',
        loopMaxIterations: 1 << 20,
        asyncMode: this.backend === 'webgpu' || this.threads > 1,
        ...(this.threads > 1 ? { poolSize: this.threads } : {}),
        ...(spec.argumentTypes ? { argumentTypes: spec.argumentTypes } : {}),
        ...(spec.returnType ? { returnType: spec.returnType } : {}),
      } as never,
    ) as unknown as CompiledKernel;
    if (spec.returnType === 'Array(4)') keepFlatResults(shortcut.kernel);
    const handle = { spec, shortcut };
    this.handles.push(handle);
    return handle;
  }

  /** Runs a kernel and reads its result back to the host (the read-back belongs to the timed work). */
  async run(handle: KernelHandle, args: ReadonlyArray<KernelArgument>, role: 'intermediate' | 'output' = 'intermediate'): Promise<DeviceArray> {
    if (this.shouldCancel()) throw new CancelledError();
    const gpuArgs = args.map(toKernelArgument);
    const target = this.offerSpare(handle);
    const raw = await this.captureWarnings(() => handle.shortcut(...gpuArgs));
    this.kernelCalls++;
    this.noteBackend(handle);
    const result = flatten(raw, handle.spec.output, componentsOf(handle.spec));
    if (target && handle.shortcut.kernel) handle.shortcut.kernel.outputTarget = null;
    if (this.takesSpares(handle)) this.resultBuffers.add(result.data.buffer);
    if (role === 'intermediate') {
      this.liveBytes += bytesOf(result);
      this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    }
    return result;
  }

  /**
   * The variant is done with these arrays: their bytes stop counting, and on webasm and headless-gl
   * their buffers become spares that later results of the same size are written into (as a caching
   * allocator does): a fresh array of tens of MiB costs more in page faults than the kernel that
   * fills it.
   */
  release(...arrays: DeviceArray[]): void {
    for (const a of arrays) {
      this.liveBytes -= bytesOf(a);
      this.keepSpare(a.data);
    }
  }

  private keepSpare(data: Float32Array): void {
    const buffer = data.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.resultBuffers.has(buffer) || this.spareSet.has(buffer)) return;
    this.spareSet.add(buffer);
    const list = this.spares.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.spares.set(buffer.byteLength, list);
  }

  /**
   * Kernels whose result gpu.js can write into a spare (patches/gpu.js+2.24.1.patch): webasm on
   * this thread, and headless-gl kernels returning four values per thread (their result is the
   * RGBA texels as read).
   */
  private takesSpares(handle: KernelHandle): boolean {
    const mode = kernelMode(handle.shortcut, this.backend);
    return (mode === 'webasm' && this.threads === 1) || (mode === 'headlessgl' && componentsOf(handle.spec) === 4);
  }

  /** Hands a spare of the result's size to the kernel for this run; the spare is then taken. */
  private offerSpare(handle: KernelHandle): Float32Array | undefined {
    const inner = handle.shortcut.kernel;
    if (!inner || !this.takesSpares(handle)) return undefined;
    const { output } = handle.spec;
    const bytes = 4 * componentsOf(handle.spec) * output[0] * (output[1] ?? 1);
    const buffer = this.spares.get(bytes)?.pop();
    if (!buffer) return undefined;
    this.spareSet.delete(buffer);
    const target = new Float32Array(buffer);
    inner.outputTarget = target;
    return target;
  }

  /** Starts a new measurement (one run of the variant). */
  resetMemory(): void {
    this.liveBytes = 0;
    this.peakLiveBytes = 0;
  }

  get peakBytes(): number {
    return this.peakLiveBytes;
  }

  get kernelFallbacks(): KernelFallback[] {
    return [...this.fallbacks.values()];
  }

  /** Which backend each kernel really runs on, e.g. {webasm: 5} or {webasm: 4, cpu: 1}. */
  kernelBackends(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const h of this.handles) {
      const mode = kernelMode(h.shortcut, this.backend);
      counts[mode] = (counts[mode] ?? 0) + 1;
    }
    return counts;
  }

  dispose(): void {
    this.spares.clear();
    for (const h of this.handles) {
      try {
        h.shortcut.destroy(true);
      } catch {
        // A kernel that never compiled has nothing to free.
      }
    }
    this.handles.length = 0;
  }

  private noteBackend(handle: KernelHandle): void {
    const mode = kernelMode(handle.shortcut, this.backend);
    if (mode !== this.backend && !this.fallbacks.has(handle.spec.name)) {
      const inner = handle.shortcut.kernel;
      this.fallbacks.set(handle.spec.name, {
        kernel: handle.spec.name,
        ranOn: mode,
        reason: inner?.fallbackReason ?? 'gpu.js gave no reason',
      });
    }
  }

  /** gpu.js announces its quiet fallbacks with console.warn; keep them in the report instead. */
  private async captureWarnings<T>(fn: () => T): Promise<Awaited<T>> {
    const original = console.warn;
    console.warn = (...parts: unknown[]) => {
      this.warnings.push(parts.map(String).join(' '));
    };
    try {
      return await fn();
    } finally {
      console.warn = original;
    }
  }
}

/**
 * gpu.js hands an 'Array(4)' result back as one small typed-array view per thread (millions for
 * an N x N/4 output: slower than the kernel itself). Its webasm and webgpu kernels and its GL
 * kernels (single precision: RGBA float texels, one per thread) first hold the values in one flat
 * array, in thread order; this keeps that array instead. Kernels of other backends (cpu) keep
 * their nested result, which `flatten` copies.
 */
function keepFlatResults(kernel: BackendKernel | undefined): void {
  if (!kernel) return;
  if (typeof kernel._shapeOutput === 'function') kernel._shapeOutput = (data) => data;
  const { renderValues, transferValues } = kernel;
  if (typeof renderValues === 'function' && typeof transferValues !== 'undefined') {
    kernel.renderValues = function (this: BackendKernel) {
      const sameShape = this.texSize?.[0] === this.output?.[0] && this.texSize?.[1] === (this.output?.[1] ?? 1);
      return sameShape && this.transferValues ? this.transferValues() : renderValues.call(this);
    };
  }
}

function toKernelArgument(a: KernelArgument): unknown {
  if (typeof a === 'number') return a;
  if ('raw' in a) return a.raw;
  if (a.rank === 1) return a.data;
  return new Input(a.data as unknown as number[], [a.width, a.height]);
}

/**
 * gpu.js returns a Float32Array for 1-D outputs and an array of row views for 2-D ones (on
 * webasm the rows share one buffer, on cpu each row has its own). Kernels take flat arrays, so
 * rows are joined, without a copy where they are already contiguous. Results with several
 * values per thread become [height x (components * width)], or [width x components] for 1-D.
 */
function flatten(raw: unknown, output: [number] | [number, number], components: number): DeviceArray {
  if (components > 1) return flattenComponents(raw, output, components);
  const width = output[0];
  if (output.length === 1) {
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    return { data: data.length === width ? data : data.subarray(0, width), width, height: 1, rank: 1 };
  }
  const height = output[1];
  const rows = raw as ArrayLike<Float32Array>;
  const first = rows[0];
  const last = rows[height - 1];
  const contiguous = first instanceof Float32Array && last.buffer === first.buffer && last.byteOffset === first.byteOffset + (height - 1) * width * 4 && first.length === width;
  if (contiguous) {
    return { data: new Float32Array(first.buffer, first.byteOffset, width * height), width, height, rank: 2 };
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) data.set(rows[y].subarray(0, width), y * width);
  return { data, width, height, rank: 2 };
}

/** Several values per thread: a flat result as it is, a nested one (one array per thread) copied. */
function flattenComponents(raw: unknown, output: [number] | [number, number], components: number): DeviceArray {
  const threads = output[0] * (output[1] ?? 1);
  const shape = output.length === 1 ? { width: components, height: output[0] } : { width: components * output[0], height: output[1] };
  if (raw instanceof Float32Array && raw.length >= threads * components) {
    return { data: raw.length === threads * components ? raw : raw.subarray(0, threads * components), ...shape, rank: 2 };
  }
  const data = new Float32Array(threads * components);
  const rows = (output.length === 1 ? [raw] : raw) as ArrayLike<ArrayLike<ArrayLike<number>>>;
  let at = 0;
  for (let y = 0; y < rows.length; y++) {
    const row = rows[y];
    for (let x = 0; x < row.length; x++) {
      const cell = row[x];
      for (let c = 0; c < components; c++) data[at++] = cell[c];
    }
  }
  return { data, ...shape, rank: 2 };
}
