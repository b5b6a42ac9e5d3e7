import { profileCsv, sweepCsv } from './export-csv';
import { htmlReport, type HtmlAssets } from './export-html';
import type { ReportContent } from './content';
import { readStoredReport, REPORT_SCHEMA_ID, storeReport } from './report';
import { SWEEP_SCHEMA_ID, SWEEP_VERSION, sweepReportSchema } from './sweep';
import { bounded, validate } from './validation';

export const EXPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A file name stem for exports: what was measured and when. */
export function exportStem(content: ReportContent): string {
  const stamp = (content.kind === 'run' ? content.report.createdAt : content.sweep.createdAt).replace(/[:.]/gu, '-').replace(/Z$/u, '');
  return content.kind === 'run' ? `attention-run-${content.report.input.n}-tokens-${stamp}` : `attention-sweep-${stamp}`;
}

/**
 * An export's text: the versioned JSON report, the CSV, or the self-contained HTML report, which
 * inlines the view's stylesheet and the report viewer (`assets`, read by the host from its own files).
 */
export function exportText(format: ExportFormat, content: ReportContent, assets?: HtmlAssets): string {
  if (format === 'html') {
    if (!assets) throw new Error("the HTML report needs the view's stylesheet and the report viewer script");
    return htmlReport(content, assets);
  }
  if (format === 'csv') return content.kind === 'run' ? profileCsv(content.report) : sweepCsv(content.sweep);
  return `${JSON.stringify(content.kind === 'run' ? storeReport(content.report) : content.sweep, null, 1)}\n`;
}

/** A sweep read from a file: every size bounded. */
export const storedSweepSchema = bounded(sweepReportSchema);

/**
 * A saved run or sweep, parsed from JSON (a *.attnprof.json, a --json export, the data of an HTML
 * report): a run of report version 1 or 2 shows what it can (`omitted` says what it leaves out),
 * anything else wrong refuses the file with the first problem.
 */
export function readSaved(json: unknown): { ok: true; content: ReportContent } | { ok: false; error: string } {
  const schema = typeof json === 'object' && json !== null && 'schema' in json ? json.schema : undefined;
  if (schema === REPORT_SCHEMA_ID) {
    const read = readStoredReport(json);
    if (!read.ok) return { ok: false, error: `not a readable Attention Profiler run (${read.error})` };
    return { ok: true, content: { kind: 'run', report: read.report, ...(read.omitted.length > 0 ? { omitted: read.omitted } : {}) } };
  }
  if (schema === SWEEP_SCHEMA_ID) {
    const version = (json as { version?: unknown }).version;
    if (typeof version === 'number' && version > SWEEP_VERSION)
      return { ok: false, error: `sweep version ${version} was written by a newer Attention Profiler; this one reads version ${SWEEP_VERSION}` };
    const parsed = validate(storedSweepSchema, json, 'file');
    return parsed.ok ? { ok: true, content: { kind: 'sweep', sweep: parsed.value } } : { ok: false, error: `not a readable Attention Profiler sweep (${parsed.error})` };
  }
  return { ok: false, error: `not an Attention Profiler run or sweep (schema: expected "${REPORT_SCHEMA_ID}" or "${SWEEP_SCHEMA_ID}")` };
}

/** Reads a saved run or sweep from its text; the error names the problem. */
export function parseSaved(text: string): { ok: true; content: ReportContent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  return readSaved(json);
}
