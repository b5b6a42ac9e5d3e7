import type { VariantId } from '../../model/variant-ids';
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
import type { Variant } from './variant';

/**
 * Every variant, in the order of VARIANTS.md Part A. Adding a variant: its file in this folder,
 * one line here, then `npm run generate`, which derives the id list the extension and the view
 * use (src/model/variant-ids.ts) and the settings in package.json; the tests iterate over this
 * list (a test checks that the generated files are current).
 */
export const VARIANTS: readonly Variant[] = [full, fullStreaming, strided, fixed, blockwise, sliding, dilated, global, local, compressed, transformerXl, linear, aft, rwkv];

export function variantById(id: VariantId): Variant {
  const v = VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`variant ${id} is not registered (run npm run generate after changing the registry)`);
  return v;
}
