import { hashInts, Rng } from '../rng';
import type { VariantContext } from './types';

const cache = new WeakMap<VariantContext, Map<string, Float32Array>>();

/**
 * Seeded weights a variant adds to Q, K, V (AFT's position biases, Transformer-XL's u, v, W_r):
 * Gaussian, deterministic in (seed, name, shape), and generated once per run context so that the
 * kernels, the float64 reference and the map all see the same float32 values.
 */
export function seededWeights(ctx: VariantContext, name: string, length: number, scale: number): Float32Array {
  let byName = cache.get(ctx);
  if (!byName) {
    byName = new Map();
    cache.set(ctx, byName);
  }
  const key = `${name}:${length}:${scale}`;
  let w = byName.get(key);
  if (!w) {
    let nameHash = 0;
    for (let i = 0; i < name.length; i++) nameHash = hashInts(nameHash, name.charCodeAt(i));
    w = new Rng(hashInts(ctx.seed, nameHash, length)).gaussianArray(length, scale);
    byName.set(key, w);
  }
  return w;
}
