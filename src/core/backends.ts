import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { GPU } from 'gpu.js';
import { UserError, errorMessage } from './errors';
import { modeOf } from './kernels/runner';

import { BACKENDS, type BackendChoice, type BackendName } from './backends-list';

export { BACKENDS, isBackendChoice, type BackendChoice, type BackendName } from './backends-list';

/** The outcome of trying one backend: whether a test kernel ran on it, and why not if it did not. */
export interface ProbeResult {
  backend: BackendName;
  ok: boolean;
  reason: string;
  /** Adapter or renderer, thread count: what the user needs to read a timing. */
  device?: string;
}

export interface BackendSelection {
  requested: BackendChoice;
  selected: BackendName;
  probes: ProbeResult[];
  device: string;
  threads: number;
}

/** The most threads gpu.js's webasm worker pool can use here. */
export function availableThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Picks the backend: a forced one must pass its probe (else a UserError naming the reason);
 * `auto` takes the first of webgpu, headlessgl, webasm, cpu that does. Every probe made is kept.
 */
export async function selectBackend(requested: BackendChoice, threads = 1): Promise<BackendSelection> {
  const probes: ProbeResult[] = [];
  if (requested !== 'auto') {
    const probe = await probeBackend(requested);
    probes.push(probe);
    for (const other of BACKENDS) {
      if (other !== requested) probes.push({ backend: other, ok: false, reason: `not probed: --backend ${requested} was asked for` });
    }
    if (!probe.ok) throw new UserError(`backend ${requested} cannot run here: ${probe.reason}`);
    return { requested, selected: requested, probes, device: probe.device ?? '', threads: threadsOf(requested, threads) };
  }
  let selected: ProbeResult | undefined;
  for (const backend of BACKENDS) {
    if (selected) {
      probes.push({ backend, ok: false, reason: `not needed: ${selected.backend} was chosen first` });
      continue;
    }
    const probe = await probeBackend(backend);
    probes.push(probe);
    if (probe.ok) selected = probe;
  }
  if (!selected) throw new UserError('no backend could run a test kernel; see the probes');
  return { requested, selected: selected.backend, probes, device: selected.device ?? '', threads: threadsOf(selected.backend, threads) };
}

/** Only webasm runs on several threads (gpu.js's worker pool, under its async mode). */
function threadsOf(backend: BackendName, threads: number): number {
  return backend === 'webasm' ? threads : 1;
}

export async function probeBackend(backend: BackendName): Promise<ProbeResult> {
  try {
    switch (backend) {
      case 'webgpu':
        return await probeWebGpu();
      case 'headlessgl':
        return await probeHeadlessGl();
      case 'webasm':
        return await probeByTestKernel('webasm', GPU.isWebAssemblySupported ? '' : 'WebAssembly is not available in this runtime', 'WebAssembly SIMD');
      case 'cpu':
        return await probeByTestKernel('cpu', '', `${os.cpus()[0]?.model ?? 'CPU'} (JavaScript)`);
    }
  } catch (err) {
    return { backend, ok: false, reason: errorMessage(err).split('\n')[0] ?? 'unknown error' };
  }
}

/** Creates the gpu.js instance for a backend that passed its probe. */
export function createGpu(backend: BackendName): GPU {
  return new GPU({ mode: backend } as never);
}

/** Runs a tiny kernel and checks both its numbers and that gpu.js did not move it elsewhere. */
async function probeByTestKernel(backend: BackendName, unsupported: string, device: string): Promise<ProbeResult> {
  if (unsupported) return { backend, ok: false, reason: unsupported };
  const gpu = createGpu(backend);
  try {
    const kernel = gpu.createKernel(
      function (this: { thread: { x: number } }, a: number[]) {
        return a[this.thread.x] * 2 + 1;
      } as never,
      { output: [8], precision: 'single', asyncMode: true } as never,
    );
    const input = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const result = (await (kernel as unknown as (a: Float32Array) => Promise<Float32Array>)(input)) as ArrayLike<number>;
    const ranOn = modeOf(kernel);
    if (ranOn !== backend) {
      const reason = (kernel as unknown as { kernel: { fallbackReason?: string } }).kernel.fallbackReason;
      return { backend, ok: false, reason: `gpu.js moved the test kernel to ${ranOn}: ${reason ?? 'no reason given'}` };
    }
    for (let i = 0; i < 8; i++) {
      if (result[i] !== i * 2 + 1) return { backend, ok: false, reason: `test kernel returned wrong numbers (${Array.from(result).join(',')})` };
    }
    return { backend, ok: true, reason: 'test kernel ran and returned the right numbers', device };
  } finally {
    gpu.destroy();
  }
}

async function probeHeadlessGl(): Promise<ProbeResult> {
  let createContext: (w: number, h: number) => MinimalGl | null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    createContext = require('gl') as typeof createContext;
  } catch (err) {
    return { backend: 'headlessgl', ok: false, reason: `the gl module does not load here (${firstLine(err)})` };
  }
  const gl = createContext(1, 1);
  if (!gl) {
    return { backend: 'headlessgl', ok: false, reason: 'gl loaded but could not open a context (no X display? run under xvfb-run -a)' };
  }
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  gl.getExtension('STACKGL_destroy_context')?.destroy();
  if (!GPU.isHeadlessGLSupported) return { backend: 'headlessgl', ok: false, reason: 'gpu.js does not accept the headless-gl context' };
  return probeByTestKernel('headlessgl', '', `headless-gl on ${renderer}`);
}

/**
 * Dawn prints its driver warnings ("Couldn't load Vulkan ...") straight to the process's stderr,
 * so the adapter is first looked for in a child process: the warnings become the probe's reason
 * instead of noise, and only a machine with an adapter loads Dawn in this process.
 */
async function probeWebGpu(): Promise<ProbeResult> {
  let modulePath: string;
  try {
    modulePath = require.resolve('webgpu');
  } catch (err) {
    return { backend: 'webgpu', ok: false, reason: `the webgpu (Dawn) module is not installed (${firstLine(err)})` };
  }
  const child = findAdapterInChild(modulePath);
  if (!child.ok) return { backend: 'webgpu', ok: false, reason: child.reason };
  const mod = (await import(pathToFileURL(modulePath).href)) as { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  const gpuApi = mod.create([]);
  const adapter = await gpuApi.requestAdapter();
  if (!adapter) return { backend: 'webgpu', ok: false, reason: 'Dawn found no WebGPU adapter in this process' };
  installNavigatorGpu(gpuApi, mod.globals);
  return probeByTestKernel('webgpu', '', `WebGPU: ${child.reason}`);
}

const CHILD_PROBE = `
const [modulePath] = process.argv.slice(1);
import(require('node:url').pathToFileURL(modulePath).href).then(async ({ create }) => {
  const adapter = await create([]).requestAdapter();
  const info = adapter ? adapter.info || {} : null;
  const device = info ? ['vendor', 'architecture', 'device', 'description'].map((k) => info[k]).filter(Boolean).join(' ') : '';
  process.stdout.write(JSON.stringify({ ok: !!adapter, device: device || 'WebGPU adapter' }));
  process.exit(0);
}, (err) => { process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err) })); process.exit(0); });
`;

function findAdapterInChild(modulePath: string): { ok: boolean; reason: string } {
  const r = spawnSync(process.execPath, ['-e', CHILD_PROBE, modulePath], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const dawnSays = (r.stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Warning:') || l.startsWith('Error:'))
    .map((l) => l.replace(/^Warning:\s*/u, ''))[0];
  let answer: { ok?: boolean; device?: string; error?: string } = {};
  try {
    answer = JSON.parse(r.stdout || '{}') as typeof answer;
  } catch {
    // no answer: reported below
  }
  if (answer.ok) return { ok: true, reason: answer.device ?? 'WebGPU adapter' };
  if (answer.error) return { ok: false, reason: `the webgpu (Dawn) module does not load here (${answer.error.split('\n')[0]})` };
  if (r.error || r.status !== 0) return { ok: false, reason: `the WebGPU probe process failed (${r.error?.message ?? `exit ${r.status}`})` };
  return { ok: false, reason: `Dawn found no WebGPU adapter${dawnSays ? ` (${dawnSays})` : ' (no GPU, or no Vulkan/Metal/D3D12 driver)'}` };
}

/** The part of a headless-gl context the probe reads. */
interface MinimalGl {
  RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
  getExtension(name: 'STACKGL_destroy_context'): { destroy(): void } | null;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: Record<string, string> } | null>;
}

/** gpu.js looks for navigator.gpu; Node has no navigator (20) or one without gpu (21+). */
function installNavigatorGpu(gpuApi: GpuLike, globals: Record<string, unknown>): void {
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpuApi, configurable: true });
}

function firstLine(err: unknown): string {
  return (errorMessage(err).split('\n')[0] ?? '').slice(0, 200);
}
