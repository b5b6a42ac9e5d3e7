import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { GPU } from 'gpu.js';
import { isSoftwareDevice, isViewBackend, WORKER_BACKENDS, type BackendName } from '../../model/backends';
import type { ProbeResult } from '../../model/probe';
import type { Environment } from '../../model/report';
import { GPUJS_VERSION } from '../../model/version';
import { firstLine, probeByTestKernel } from '../backends';
import type { Platform } from '../platform';
import { fileCeilingCache } from './ceiling-file';
import { dawnNotFoundReason } from './dawn-location';

/**
 * The engine's platform in Node (the extension's worker thread and the CLI): gpu.js's Node build
 * with headless-gl and Dawn (the `webgpu` package) where they load, v8's garbage collector, and
 * the process's array-buffer memory.
 */
export const nodePlatform: Platform = {
  backends: WORKER_BACKENDS,
  probe: probeNodeBackend,
  unavailable: (backend) => `${backend} runs only in a Web Worker of the VS Code view (its Chromium), not in Node (the CLI or the extension's worker thread)`,
  createGpu: (backend) => {
    if (isViewBackend(backend)) throw new Error(nodePlatform.unavailable(backend));
    return new GPU({ mode: backend });
  },
  availableThreads: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
  collectGarbage,
  arrayBufferBytes: () => process.memoryUsage().arrayBuffers,
  environment,
  get ceilings() {
    return fileCeilingCache();
  },
};

function environment(): Environment {
  return {
    node: process.version,
    gpujs: GPUJS_VERSION,
    platform: process.platform,
    arch: process.arch,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
  };
}

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection before a measurement, so that a variant is not charged for the
 * garbage the previous one left (full attention at N = 8192 leaves half a gigabyte). Node exposes
 * gc() only with --expose-gc; the flag can be set at run time and the function taken from a fresh
 * context. Where that fails, measurements go on without it.
 */
function collectGarbage(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}

async function probeNodeBackend(backend: BackendName): Promise<ProbeResult> {
  switch (backend) {
    case 'view-webgpu':
    case 'view-webgl2':
      return { backend, ok: false, reason: nodePlatform.unavailable(backend) };
    case 'webgpu':
      return probeWebGpu();
    case 'headlessgl':
      return probeHeadlessGl();
    case 'webasm':
      if (!GPU.isWebAssemblySupported) return { backend, ok: false, reason: 'WebAssembly is not available in this runtime' };
      return probeByTestKernel(nodePlatform.createGpu(backend), backend, 'WebAssembly SIMD');
    case 'cpu':
      return probeByTestKernel(nodePlatform.createGpu(backend), backend, `${os.cpus()[0]?.model ?? 'CPU'} (JavaScript)`);
  }
}

/** The part of a headless-gl context the probe reads. */
interface MinimalGl {
  RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
  getExtension(name: 'STACKGL_destroy_context'): { destroy(): void } | null;
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
  if (!gl) return { backend: 'headlessgl', ok: false, reason: 'gl loaded but could not open a context (no X display? run under xvfb-run -a)' };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  gl.getExtension('STACKGL_destroy_context')?.destroy();
  if (!GPU.isHeadlessGLSupported) return { backend: 'headlessgl', ok: false, reason: 'gpu.js does not accept the headless-gl context' };
  return probeByTestKernel(nodePlatform.createGpu('headlessgl'), 'headlessgl', `headless-gl on ${renderer}`, isSoftwareDevice(renderer));
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: Record<string, string> } | null>;
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
    return { backend: 'webgpu', ok: false, reason: dawnNotFoundReason(firstLine(err)) };
  }
  const child = findAdapterInChild(modulePath);
  if (!child.ok) return { backend: 'webgpu', ok: false, reason: child.reason };
  const mod = (await import(pathToFileURL(modulePath).href)) as { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  const gpuApi = mod.create([]);
  const adapter = await gpuApi.requestAdapter();
  if (!adapter) return { backend: 'webgpu', ok: false, reason: 'Dawn found no WebGPU adapter in this process' };
  installNavigatorGpu(gpuApi, mod.globals);
  return probeByTestKernel(nodePlatform.createGpu('webgpu'), 'webgpu', `WebGPU: ${child.reason}`, child.software);
}

const CHILD_PROBE = `
const [modulePath] = process.argv.slice(1);
import(require('node:url').pathToFileURL(modulePath).href).then(async ({ create }) => {
  const adapter = await create([]).requestAdapter();
  const info = adapter ? adapter.info || {} : null;
  const device = info ? ['vendor', 'architecture', 'device', 'description'].map((k) => info[k]).filter(Boolean).join(' ') : '';
  process.stdout.write(JSON.stringify({ ok: !!adapter, device: device || 'WebGPU adapter', fallback: !!(info && info.isFallbackAdapter) }));
  process.exit(0);
}, (err) => { process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err) })); process.exit(0); });
`;

function findAdapterInChild(modulePath: string): { ok: boolean; reason: string; software?: boolean } {
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
  let answer: { ok?: boolean; device?: string; error?: string; fallback?: boolean } = {};
  try {
    answer = JSON.parse(r.stdout || '{}') as typeof answer;
  } catch {
    // no answer: reported below
  }
  if (answer.ok) {
    const device = answer.device ?? 'WebGPU adapter';
    return { ok: true, reason: device, software: answer.fallback === true || isSoftwareDevice(device) };
  }
  if (answer.error) return { ok: false, reason: `the webgpu (Dawn) module does not load here (${answer.error.split('\n')[0]})` };
  if (r.error || r.status !== 0) return { ok: false, reason: `the WebGPU probe process failed (${r.error?.message ?? `exit ${r.status}`})` };
  return { ok: false, reason: `Dawn found no WebGPU adapter${dawnSays ? ` (${dawnSays})` : ' (no GPU, or no Vulkan/Metal/D3D12 driver)'}` };
}

/** gpu.js looks for navigator.gpu; Node has no navigator (20) or one without gpu (21+). */
function installNavigatorGpu(gpuApi: GpuLike, globals: Record<string, unknown>): void {
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpuApi, configurable: true });
}
