import type { ProfileReport } from './report';

/**
 * What a card draws: the variant's mask (0/1) or effective weights, at most `size` x `size`
 * cells. Above that, display row r shows one sampled query row (the middle of its band of
 * queries) and display column c the keys [c*step, (c+1)*step): masks average the 0/1 entries
 * (the fraction allowed), weights add them up (the weight of that group of keys).
 */
export interface VariantMap {
  kind: 'mask' | 'weights';
  /** Display rows and columns. */
  rows: number;
  cols: number;
  /** Source rows (queries) and columns (keys, or memory slots for slot masks). */
  sourceRows: number;
  sourceCols: number;
  /** The query index shown in each display row. */
  rowQuery: number[];
  /** Row-major values, rows x cols. */
  values: Float32Array;
}

/** A run's map as it travels between threads: typed values, next to the report. */
export type TypedMap = VariantMap & { id: string };

/** The run's report with each map put back into its variant (as numbers), for files. */
export function reportWithMaps(report: ProfileReport, maps: readonly TypedMap[]): ProfileReport {
  const byId = new Map(maps.map((m) => [m.id, m]));
  return {
    ...report,
    variants: report.variants.map((v) => {
      const m = byId.get(v.id);
      if (!m) return v;
      return { ...v, map: { kind: m.kind, rows: m.rows, cols: m.cols, sourceRows: m.sourceRows, sourceCols: m.sourceCols, rowQuery: m.rowQuery, values: Array.from(m.values) } };
    }),
  };
}

/** The maps carried inside a saved report, back to typed arrays for the view. */
export function mapsOfReport(report: ProfileReport): TypedMap[] {
  return report.variants.flatMap((v) => (v.map ? [{ id: v.id, ...v.map, values: Float32Array.from(v.map.values) }] : []));
}
