/** Variant ids, part of the interface (CLI, settings, reports). Kept apart from the variants'
 * code so that the view and the extension host can name variants without loading kernels. */
export const VARIANT_IDS = [
  'full',
  'full-streaming',
  'strided',
  'fixed',
  'blockwise',
  'sliding',
  'dilated',
  'global',
  'local',
  'compressed',
  'transformer-xl',
  'linear',
  'aft',
  'rwkv',
] as const;
export type VariantId = (typeof VARIANT_IDS)[number];
