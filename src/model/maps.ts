import { z } from 'zod';

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
 * rather than copied; in files they are numbers (`storedMapSchema`, `storeMap`, `loadMap`).
 */
export const mapSchema = z.object({ ...mapFields, values: z.instanceof(Float32Array).describe('row-major rows x cols') });
export type VariantMap = z.infer<typeof mapSchema>;

/** A map in a JSON file. */
export const storedMapSchema = z.object({ ...mapFields, values: z.array(z.number()).describe('row-major rows x cols') });
export type StoredMap = z.infer<typeof storedMapSchema>;

export function storeMap(map: VariantMap): StoredMap {
  return { ...map, rowQuery: [...map.rowQuery], values: Array.from(map.values) };
}

export function loadMap(stored: StoredMap): VariantMap {
  return { ...stored, values: Float32Array.from(stored.values) };
}
