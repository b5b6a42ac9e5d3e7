/** Backend names, in the order `auto` tries them. Kept apart from backends.ts so that code
 * which only names backends (the protocol, the webview) does not load gpu.js. */
export const BACKENDS = ['webgpu', 'headlessgl', 'webasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName;

export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKENDS as readonly string[]).includes(value);
}
