import type { VariantMap } from '../model/maps';
import type { Qkv } from './qkv';
import type { PreparedVariant } from './variants/variant';

/** The query rows a map of `size` rows shows: all of them, or one from the middle of each band. */
export function sampledRows(n: number, size: number): number[] {
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: size }, (_, r) => Math.min(n - 1, Math.floor(((r + 0.5) * n) / size)));
}

function buildMaskMap(variant: PreparedVariant, size: number): VariantMap {
  const n = variant.shape.n;
  const sourceCols = variant.maskColumns;
  const rowQuery = sampledRows(n, size);
  const cols = Math.min(sourceCols, size);
  const values = new Float32Array(rowQuery.length * cols);
  rowQuery.forEach((i, r) => {
    for (let j = 0; j < sourceCols; j++) {
      if (variant.allowed(i, j)) {
        const c = Math.floor((j * cols) / sourceCols);
        values[r * cols + c] += 1;
      }
    }
    for (let c = 0; c < cols; c++) values[r * cols + c] /= binWidth(c, cols, sourceCols);
  });
  return { kind: 'mask', rows: rowQuery.length, cols, sourceRows: n, sourceCols, rowQuery, values };
}

function buildWeightMap(variant: PreparedVariant, qkv: Qkv, size: number): VariantMap {
  const n = variant.shape.n;
  const rowQuery = sampledRows(n, size);
  const cols = Math.min(n, size);
  const values = new Float32Array(rowQuery.length * cols);
  rowQuery.forEach((i, r) => {
    const w = variant.rowWeights(qkv, i);
    for (let j = 0; j < n; j++) values[r * cols + Math.floor((j * cols) / n)] += w[j] ?? 0;
  });
  return { kind: 'weights', rows: rowQuery.length, cols, sourceRows: n, sourceCols: n, rowQuery, values };
}

/** How many source columns fall into display column c. */
function binWidth(c: number, cols: number, sourceCols: number): number {
  const start = Math.ceil((c * sourceCols) / cols);
  const end = Math.ceil(((c + 1) * sourceCols) / cols);
  return Math.max(1, end - start);
}

/** The map a card shows: the mask for mask variants, the effective weights for the others. */
export function buildVariantMap(variant: PreparedVariant, qkv: Qkv, size: number): VariantMap {
  return variant.variant.maskType === 'mask' ? buildMaskMap(variant, size) : buildWeightMap(variant, qkv, size);
}
