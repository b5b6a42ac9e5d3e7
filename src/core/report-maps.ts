import type { ProfileReport } from './report';

/** A run's maps as they travel between threads: typed arrays next to the report. */
export interface TypedMap {
  id: string;
  kind: 'mask' | 'weights';
  rows: number;
  cols: number;
  sourceRows: number;
  sourceCols: number;
  rowQuery: number[];
  values: Float32Array;
}

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
