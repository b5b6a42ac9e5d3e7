import { aft } from './aft';
import { blockwise } from './blockwise';
import { compressed } from './compressed';
import { dilated } from './dilated';
import { fixed } from './fixed';
import { full } from './full';
import { fullStreaming } from './full-streaming';
import { global } from './global';
import { linear } from './linear';
import { local } from './local';
import { rwkv } from './rwkv';
import { sliding } from './sliding';
import { strided } from './strided';
import { transformerXl } from './transformer-xl';
import { VARIANT_IDS, type Variant, type VariantId } from './types';

/** Every variant, in the order of VARIANTS.md Part A. Adding a variant = one file + one line here. */
export const VARIANTS: readonly Variant[] = [
  full,
  fullStreaming,
  strided,
  fixed,
  blockwise,
  sliding,
  dilated,
  global,
  local,
  compressed,
  transformerXl,
  linear,
  aft,
  rwkv,
];

export function isVariantId(id: string): id is VariantId {
  return (VARIANT_IDS as readonly string[]).includes(id);
}

export function variantById(id: VariantId): Variant {
  const v = VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`variant ${id} is not registered`);
  return v;
}
