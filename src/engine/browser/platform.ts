import { GPU } from 'gpu.js';
import { isSoftwareDevice, VIEW_BACKENDS, type BackendName } from '../../model/backends';
import type { ProbeResult } from '../../model/probe';
import type { Environment } from '../../model/report';
import { GPUJS_VERSION } from '../../model/version';
import { firstLine, probeByTestKernel } from '../backends';
import { memoryCeilingCache, type Platform } from '../platform';

/**
 * The engine's platform in a Web Worker of the VS Code view (the GPU lane): gpu.js's browser
 * backends on the view's Chromium, WebGPU through navigator.gpu and WebGL2 through an
 * OffscreenCanvas. No garbage collector to call and no process memory to read: those figures
 * are left out of this lane's reports, and the reports say so by their absence.
 */

/** The parts of the worker's globals this platform reads (typed here: the engine has no DOM types). */
interface WorkerGlobals {
  navigator?: {
    gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapter | null> };
    userAgent?: string;
    platform?: string;
    hardwareConcurrency?: number;
  };
  OffscreenCanvas?: new (width: number, height: number) => { getContext(kind: 'webgl2'): WebGl2Like | null };
}

interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}

interface WebGl2Like {
  RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
}

const globals = globalThis as unknown as WorkerGlobals;

/**
 * A fresh OffscreenCanvas and WebGL2 context for each gpu.js instance: destroying an instance
 * loses its context, so contexts are never shared.
 */
function webgl2Context(): { canvas: unknown; context: WebGl2Like } {
  const Canvas = globals.OffscreenCanvas;
  if (!Canvas) throw new Error('this browser has no OffscreenCanvas in workers');
  const canvas = new Canvas(1, 1);
  const context = canvas.getContext('webgl2');
  if (!context) throw new Error('the view could not create a WebGL2 context (WebGL is disabled, or the GPU process failed)');
  return { canvas, context };
}

export const browserPlatform: Platform = {
  backends: VIEW_BACKENDS,
  probe,
  unavailable: (backend) => `${backend} runs in Node (the extension's worker thread or the CLI), not in the view`,
  createGpu(backend) {
    if (backend === 'view-webgl2') {
      const { canvas, context } = webgl2Context();
      return new GPU({ mode: 'webgl2', canvas, context } as never);
    }
    if (backend === 'view-webgpu') return new GPU({ mode: 'webgpu' } as never);
    throw new Error(browserPlatform.unavailable(backend));
  },
  availableThreads: () => 1,
  collectGarbage: () => undefined,
  arrayBufferBytes: () => undefined,
  environment,
  ceilings: memoryCeilingCache("this view's memory (measured again when the view reloads)"),
};

function environment(): Environment {
  const nav = globals.navigator;
  return {
    node: `none: a Web Worker of the view (${nav?.userAgent ?? 'unknown browser'})`,
    gpujs: GPUJS_VERSION,
    platform: nav?.platform ?? 'unknown',
    arch: 'unknown',
    cpu: 'unknown (browsers do not say)',
    cpuCount: nav?.hardwareConcurrency ?? 0,
  };
}

async function probe(backend: BackendName): Promise<ProbeResult> {
  try {
    if (backend === 'view-webgpu') return await probeWebGpu();
    if (backend === 'view-webgl2') return await probeWebGl2();
    return { backend, ok: false, reason: browserPlatform.unavailable(backend) };
  } catch (err) {
    return { backend, ok: false, reason: firstLine(err) };
  }
}

async function probeWebGpu(): Promise<ProbeResult> {
  const gpu = globals.navigator?.gpu;
  if (!gpu) return { backend: 'view-webgpu', ok: false, reason: 'this view has no WebGPU (navigator.gpu is missing: on Linux, Chromium enables WebGPU only with flags)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { backend: 'view-webgpu', ok: false, reason: "the view's Chromium found no WebGPU adapter" };
  const info = adapter.info ?? {};
  const device = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  const software = info.isFallbackAdapter === true || isSoftwareDevice(device);
  return probeByTestKernel(browserPlatform.createGpu('view-webgpu'), 'view-webgpu', `WebGPU: ${device}`, software);
}

async function probeWebGl2(): Promise<ProbeResult> {
  const { canvas, context } = webgl2Context();
  const debug = context.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(debug ? context.getParameter(debug.UNMASKED_RENDERER_WEBGL) : context.getParameter(context.RENDERER));
  return probeByTestKernel(new GPU({ mode: 'webgl2', canvas, context } as never), 'view-webgl2', `WebGL2: ${renderer}`, isSoftwareDevice(renderer));
}
