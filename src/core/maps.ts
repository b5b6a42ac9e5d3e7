import type { Qkv } from './qkv';
import type { VariantMap } from './report-maps';

export type { VariantMap } from './report-maps';
import type { Variant, VariantContext } from './variants/types';


export function sampledRows(n: number, size: number): number[] {
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: size }, (_, r) => Math.min(n - 1, Math.floor(((r + 0.5) * n) / size)));
}

export function buildMaskMap(variant: Variant, ctx: VariantContext, size: number): VariantMap {
  const sourceCols = variant.maskColumns(ctx);
  const rowQuery = sampledRows(ctx.n, size);
  const cols = Math.min(sourceCols, size);
  const values = new Float32Array(rowQuery.length * cols);
  rowQuery.forEach((i, r) => {
    for (let j = 0; j < sourceCols; j++) {
      if (variant.allowed(ctx, i, j)) {
        const c = Math.floor((j * cols) / sourceCols);
        values[r * cols + c] = (values[r * cols + c] as number) + 1;
      }
    }
    for (let c = 0; c < cols; c++) values[r * cols + c] = (values[r * cols + c] as number) / binWidth(c, cols, sourceCols);
  });
  return { kind: 'mask', rows: rowQuery.length, cols, sourceRows: ctx.n, sourceCols, rowQuery, values };
}

export function buildWeightMap(variant: Variant, ctx: VariantContext, qkv: Qkv, size: number): VariantMap {
  const rowQuery = sampledRows(ctx.n, size);
  const cols = Math.min(ctx.n, size);
  const values = new Float32Array(rowQuery.length * cols);
  rowQuery.forEach((i, r) => {
    const w = variant.rowWeights(ctx, qkv, i);
    for (let j = 0; j < ctx.n; j++) {
      const c = Math.floor((j * cols) / ctx.n);
      values[r * cols + c] = (values[r * cols + c] as number) + (w[j] as number);
    }
  });
  return { kind: 'weights', rows: rowQuery.length, cols, sourceRows: ctx.n, sourceCols: ctx.n, rowQuery, values };
}

/** How many source columns fall into display column c. */
function binWidth(c: number, cols: number, sourceCols: number): number {
  const start = Math.ceil((c * sourceCols) / cols);
  const end = Math.ceil(((c + 1) * sourceCols) / cols);
  return Math.max(1, end - start);
}

/** The map a card shows: the mask for mask variants, the effective weights for the others. */
export function buildVariantMap(variant: Variant, ctx: VariantContext, qkv: Qkv, size: number): VariantMap {
  return variant.maskType === 'mask' ? buildMaskMap(variant, ctx, size) : buildWeightMap(variant, ctx, qkv, size);
}
