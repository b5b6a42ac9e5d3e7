/**
 * Backend names, in the order `auto` tries them. Pure names: code that only names backends (the
 * protocol, the view, the settings) does not load gpu.js.
 */
export const BACKENDS = ['webgpu', 'headlessgl', 'webasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}
