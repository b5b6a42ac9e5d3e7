import { hashInts, Rng } from '../rng';
import type { VariantContext } from './variant';

/**
 * Seeded weights a variant adds to Q, K, V (AFT's position biases, Transformer-XL's u, v, W_r,
 * the per-offset weights of compressed pool=conv): Gaussian, deterministic in (seed, name, shape),
 * and generated once per run so that the kernels, the float64 reference and the map all see the
 * same float32 values.
 */
export function seededWeights<V>(ctx: VariantContext<V>, name: string, length: number, scale: number): Float32Array {
  return ctx.memo(`seeded ${name}:${length}:${scale}`, () => {
    let nameHash = 0;
    for (let i = 0; i < name.length; i++) nameHash = hashInts(nameHash, name.charCodeAt(i));
    return new Rng(hashInts(ctx.seed, nameHash, length)).gaussianArray(length, scale);
  });
}
