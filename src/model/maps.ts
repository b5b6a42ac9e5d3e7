import { z } from 'zod';
import { deflateRaw, fromBase64, inflateRaw, deflateBound, toBase64 } from './codec';
import { LIMITS } from './limits';

const mapFields = {
  kind: z.enum(['mask', 'weights']),
  /** Display rows and columns. */
  rows: z.number().int().min(1),
  cols: z.number().int().min(1),
  /** Source rows (queries) and columns (keys, or memory slots for slot masks). */
  sourceRows: z.number().int().min(1),
  sourceCols: z.number().int().min(1),
  /** The query index shown in each display row. */
  rowQuery: z.array(z.number().int()),
};

/**
 * What a card draws: the variant's mask (0/1) or effective weights, at most `size` x `size`
 * cells. Above that, display row r shows one sampled query row (the middle of its band of
 * queries) and display column c the keys [c*step, (c+1)*step): masks average the 0/1 entries
 * (the fraction allowed), weights add them up (the weight of that group of keys).
 *
 * In memory and on the wire (worker, host, view) the values are a Float32Array, transferred
 * rather than copied; in files they are quantised, compressed and base64-encoded
 * (`storedMapSchema`, `storeMap`, `loadMap`).
 */
export const mapSchema = z
  .object({
    ...mapFields,
    rows: mapFields.rows.max(LIMITS.maxMapSize),
    cols: mapFields.cols.max(LIMITS.maxMapSize),
    values: z.instanceof(Float32Array).describe('row-major rows x cols'),
  })
  .refine((m) => m.values.length === m.rows * m.cols && m.rowQuery.length === m.rows, {
    error: 'a map needs rows x cols values and one rowQuery entry per row',
    path: ['values'],
  });
export type VariantMap = z.infer<typeof mapSchema>;

/** Bits of log2(value / scale) that `log2-u16` covers: smaller values are stored as 0. */
export const LOG2_RANGE = 40;
const LOG2_STEPS = 65534;
/** Cells of the log2-u16 quantisation: 0 and 1 + LOG2_STEPS steps (every uint16). */
const LOG2_CELLS = LOG2_STEPS + 2;

/**
 * The largest error of a value read back from a stored map, by quantisation: `linear-u8` is off by
 * at most scale / 510; `log2-u16` by at most a relative 2^(20/65534) - 1 (about 2.2e-4, so three
 * significant digits are exact), or, below scale * 2^-40, by that much (stored as 0); `float32` is exact.
 */
export function quantisationError(quantisation: MapQuantisation, scale: number, value: number): number {
  if (quantisation === 'linear-u8') return scale / 510;
  if (quantisation === 'log2-u16') return Math.max(Math.abs(value) * (2 ** (LOG2_RANGE / 2 / LOG2_STEPS) - 1), scale * 2 ** -LOG2_RANGE);
  return 0;
}

const side = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(LIMITS.maxMapSize, { error: (issue) => `${String(issue.input)} ${what} is more than a map may have (${LIMITS.maxMapSize})` });
const sourceSide = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(LIMITS.maxTokens, { error: (issue) => `${String(issue.input)} ${what} is more than a run may have (${LIMITS.maxTokens})` });

const storedMapFields = {
  kind: mapFields.kind.describe('mask: the fraction of the keys of each cell the variant allows (0 or 1 when not downsampled); weights: the effective weights, summed per cell'),
  rows: side('rows').describe('display rows'),
  cols: side('columns').describe('display columns'),
  sourceRows: sourceSide('queries').describe('queries of the run'),
  sourceCols: sourceSide('keys').describe('keys of the run (memory slots for slot masks)'),
  rowQuery: z.array(z.number().int().min(0)).max(LIMITS.maxMapSize).describe('the query shown in each display row: rows entries, each below sourceRows'),
};

const base64Data = (cellBytes: number) =>
  z
    .string()
    .max(4 * Math.ceil(deflateBound(LIMITS.maxMapSize ** 2 * cellBytes) / 3))
    .describe(
      `base64 (RFC 4648, padded) of the cells compressed with raw deflate (RFC 1951, no header); the cells are row-major, rows x cols of them, ${cellBytes === 1 ? 'one byte each' : cellBytes === 2 ? 'two bytes each, in two planes: the high bytes of every cell, then their low bytes' : 'four bytes each (IEEE 754 single precision, little-endian)'}`,
    );
const compression = z.literal('deflate-raw');
const scale = z.number().positive();

/** How the values of a map are stored: masks as linear bytes, weights on a log scale, anything else exactly. */
export const storedMapValuesSchema = z.discriminatedUnion('quantisation', [
  z
    .object({ quantisation: z.literal('linear-u8'), scale: scale.describe('1 for masks'), compression, data: base64Data(1) })
    .describe('cell = round(255 * value / scale), value = cell * scale / 255: off by at most scale / 510 (0 and 1 exact). Masks.'),
  z
    .object({ quantisation: z.literal('log2-u16'), scale: scale.describe('the largest value of the map'), compression, data: base64Data(2) })
    .describe(
      `cell = 0 for value < scale * 2^-${LOG2_RANGE}, else 1 + round(${LOG2_STEPS} * (log2(value / scale) + ${LOG2_RANGE}) / ${LOG2_RANGE}); value = scale * 2^((cell - 1) * ${LOG2_RANGE} / ${LOG2_STEPS} - ${LOG2_RANGE}): within a relative 2.2e-4 (three significant digits), or scale * 2^-${LOG2_RANGE} below that. Effective weights (non-negative).`,
    ),
  z
    .object({ quantisation: z.literal('float32'), compression, data: base64Data(4) })
    .describe('the float32 values as they are (lossless): a map with negative values, or a mask with values above 1'),
]);
export type MapQuantisation = z.infer<typeof storedMapValuesSchema>['quantisation'];

/** A map in a JSON file (report version 2): the values quantised, compressed and base64-encoded. */
export const storedMapSchema = z.object({ ...storedMapFields, values: storedMapValuesSchema });
export type StoredMap = z.infer<typeof storedMapSchema>;

/** A map in a file of report version 1: one number per cell. */
export const storedMapV1Schema = z.object({
  ...storedMapFields,
  values: z
    .array(z.number())
    .max(LIMITS.maxMapSize ** 2)
    .describe('row-major rows x cols'),
});
export type StoredMapV1 = z.infer<typeof storedMapV1Schema>;

function encodeCells(map: VariantMap): { quantisation: MapQuantisation; scale: number; cells: Uint8Array } {
  const { values } = map;
  let max = 0;
  let exact = false;
  for (const v of values) {
    if (!(v >= 0) || !Number.isFinite(v)) exact = true;
    else if (v > max) max = v;
  }
  const n = values.length;
  if (exact || (map.kind === 'mask' && max > 1)) {
    const cells = new Uint8Array(n * 4);
    const view = new DataView(cells.buffer);
    for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i], true);
    return { quantisation: 'float32', scale: 1, cells };
  }
  if (map.kind === 'mask') {
    const cells = new Uint8Array(n);
    for (let i = 0; i < n; i++) cells[i] = Math.round(values[i] * 255);
    return { quantisation: 'linear-u8', scale: 1, cells };
  }
  const top = max > 0 ? max : 1;
  const floor = top * 2 ** -LOG2_RANGE;
  const cells = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const q = v < floor ? 0 : Math.min(LOG2_CELLS - 1, Math.max(1, 1 + Math.round(((Math.log2(v / top) + LOG2_RANGE) / LOG2_RANGE) * LOG2_STEPS)));
    cells[i] = q >> 8;
    cells[n + i] = q & 255;
  }
  return { quantisation: 'log2-u16', scale: top, cells };
}

const CELL_BYTES: Record<MapQuantisation, number> = { 'linear-u8': 1, 'log2-u16': 2, float32: 4 };

export function storeMap(map: VariantMap): StoredMap {
  const { quantisation, scale, cells } = encodeCells(map);
  const data = toBase64(deflateRaw(cells));
  const values: StoredMap['values'] = quantisation === 'float32' ? { quantisation, compression: 'deflate-raw', data } : { quantisation, scale, compression: 'deflate-raw', data };
  return { kind: map.kind, rows: map.rows, cols: map.cols, sourceRows: map.sourceRows, sourceCols: map.sourceCols, rowQuery: [...map.rowQuery], values };
}

/** What the values of a map must agree with (the schema bounds each number; these relate them). */
function checkShape(map: Omit<StoredMap, 'values'>): void {
  if (map.rowQuery.length !== map.rows) throw new Error(`rowQuery has ${map.rowQuery.length} entries for ${map.rows} rows`);
  if (map.rows > map.sourceRows || map.cols > map.sourceCols) throw new Error(`${map.rows} x ${map.cols} cells are more than the ${map.sourceRows} x ${map.sourceCols} they show`);
  const bad = map.rowQuery.find((q) => q >= map.sourceRows);
  if (bad !== undefined) throw new Error(`rowQuery names query ${bad}, past the ${map.sourceRows} queries`);
}

let log2Table: Float64Array | undefined;

/** Reads a stored map back; the error says what is wrong with it. */
export function loadMap(stored: StoredMap): VariantMap {
  checkShape(stored);
  const n = stored.rows * stored.cols;
  const { values: encoded } = stored;
  let cells: Uint8Array;
  try {
    cells = inflateRaw(fromBase64(encoded.data), n * CELL_BYTES[encoded.quantisation]);
  } catch (err) {
    throw new Error(`its data does not match its ${stored.rows} x ${stored.cols} cells (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const values = new Float32Array(n);
  if (encoded.quantisation === 'linear-u8') {
    for (let i = 0; i < n; i++) values[i] = (cells[i] * encoded.scale) / 255;
  } else if (encoded.quantisation === 'log2-u16') {
    log2Table ??= Float64Array.from({ length: LOG2_CELLS }, (_, q) => (q === 0 ? 0 : 2 ** (((q - 1) * LOG2_RANGE) / LOG2_STEPS - LOG2_RANGE)));
    for (let i = 0; i < n; i++) values[i] = log2Table[(cells[i] << 8) | cells[n + i]] * encoded.scale;
  } else {
    const view = new DataView(cells.buffer, cells.byteOffset, cells.byteLength);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(i * 4, true);
  }
  return { kind: stored.kind, rows: stored.rows, cols: stored.cols, sourceRows: stored.sourceRows, sourceCols: stored.sourceCols, rowQuery: [...stored.rowQuery], values };
}

/** Reads a map of a version 1 file (one number per cell). */
export function loadMapV1(stored: StoredMapV1): VariantMap {
  checkShape(stored);
  if (stored.values.length !== stored.rows * stored.cols) throw new Error(`it has ${stored.values.length} values for ${stored.rows} x ${stored.cols} cells`);
  return { ...stored, rowQuery: [...stored.rowQuery], values: Float32Array.from(stored.values) };
}
