/**
 * Backends and the lanes they run in. Pure names: code that only names backends (the protocol,
 * the view, the settings) does not load gpu.js.
 *
 * - The worker lane is Node: the extension's worker thread and the CLI. Its backends are gpu.js's
 *   webgpu (Dawn), headlessgl, webasm and cpu.
 * - The view lane is the Attention comparison view's Chromium, the one GPU desktop VS Code can
 *   reach (Electron's extension host refuses Dawn's mapped buffers): gpu.js's webgpu and webgl2
 *   in a Web Worker of the view.
 */
export const WORKER_BACKENDS = ['webgpu', 'headlessgl', 'webasm', 'cpu'] as const;
export const VIEW_BACKENDS = ['view-webgpu', 'view-webgl2'] as const;
export const BACKENDS = [...WORKER_BACKENDS, ...VIEW_BACKENDS] as const;
export type WorkerBackend = (typeof WORKER_BACKENDS)[number];
export type ViewBackend = (typeof VIEW_BACKENDS)[number];
export type BackendName = (typeof BACKENDS)[number];

export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export type Lane = 'worker' | 'view';

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

export function isViewBackend(backend: BackendName): backend is ViewBackend {
  return (VIEW_BACKENDS as readonly string[]).includes(backend);
}

export function laneOf(backend: BackendName): Lane {
  return isViewBackend(backend) ? 'view' : 'worker';
}

/** The gpu.js mode a backend runs (the view's backends are gpu.js's browser webgpu and webgl2). */
export function gpujsMode(backend: BackendName): string {
  return backend === 'view-webgpu' ? 'webgpu' : backend === 'view-webgl2' ? 'webgl2' : backend;
}

/** "webgpu (view)", "webasm (worker)": a backend as cards and reports name it in VS Code. */
export function backendLabel(backend: BackendName): string {
  return `${gpujsMode(backend)} (${laneOf(backend)})`;
}

/**
 * The order `auto` tries in VS Code: the worker's GPU, then the view's, then the worker's CPU
 * backends. (headless-gl is not shipped in the extension.)
 */
export const VSCODE_AUTO_ORDER: readonly BackendName[] = ['webgpu', 'view-webgpu', 'view-webgl2', 'webasm', 'cpu'];

/**
 * Adapters and renderers that are a CPU in disguise (Vulkan or GL implemented in software). They
 * are correct, and slow: `auto` never prefers one to webasm (forcing one is allowed).
 */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|software rasterizer/iu;

export function isSoftwareDevice(description: string): boolean {
  return SOFTWARE_RENDERERS.test(description);
}
