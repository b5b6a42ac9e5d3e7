/**
 * What a gpu.js kernel function sees as `this`. Kernel and helper functions are written in the
 * subset of JavaScript gpu.js transpiles (numbers, loops with constant bounds, Math.*), so one
 * source runs on cpu, webasm, headlessgl and webgpu.
 */
export interface KernelThis {
  thread: { x: number; y: number; z: number };
  constants: Record<string, number>;
}

/**
 * A kernel function: one output value per thread (or, for an 'Array(2)' or 'Array(4)' return
 * type, that many), from numbers and arrays gpu.js passes in.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelFn = (this: KernelThis, ...args: any[]) => number | number[];

/**
 * A helper function for kernels, with the name kernels call it by. gpu.js finds helpers by the
 * name in their source, and bundlers may rename functions, so the name is set here explicitly.
 */
export function kernelFunction(name: string, fn: (...args: never[]) => number): string {
  const source = fn.toString();
  const renamed = source.replace(/^function\s*[\w$]*\s*\(/u, `function ${name}(`);
  if (renamed === source && !source.startsWith(`function ${name}(`)) {
    throw new Error(`kernelFunction(${name}): expected a function declaration, got: ${source.slice(0, 40)}`);
  }
  return renamed;
}
