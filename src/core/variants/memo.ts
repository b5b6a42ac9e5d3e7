import type { Qkv } from '../qkv';
import type { VariantContext } from './types';

const cache = new WeakMap<VariantContext, WeakMap<Qkv, Map<string, unknown>>>();

/**
 * Host-side values derived from (context, inputs) that the reference, the map and the KL figure
 * all need (pooled keys, phi(K), relative-position tables): computed once per run, not per row.
 */
export function memo<T>(ctx: VariantContext, qkv: Qkv, key: string, compute: () => T): T {
  let byQkv = cache.get(ctx);
  if (!byQkv) {
    byQkv = new WeakMap();
    cache.set(ctx, byQkv);
  }
  let byKey = byQkv.get(qkv);
  if (!byKey) {
    byKey = new Map();
    byQkv.set(qkv, byKey);
  }
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as T;
}
