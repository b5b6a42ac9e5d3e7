import { z } from 'zod';
import { profileCsv, sweepCsv } from './export-csv';
import { htmlReport, type HtmlAssets } from './export-html';
import type { ReportContent } from './content';
import { loadReport, storedReportSchema, storeReport } from './report';
import { sweepReportSchema } from './sweep';
import { validate } from './validation';

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

/** A saved run or sweep (*.attnprof.json, or a --json export): the versioned report, validated. */
export const savedContentSchema = z.union([storedReportSchema, sweepReportSchema]);

/** Reads a saved run or sweep; the error names the problem. */
export function parseSaved(text: string): { ok: true; content: ReportContent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = validate(savedContentSchema, json, 'file');
  if (!parsed.ok) return { ok: false, error: `not an Attention Profiler run or sweep (${parsed.error})` };
  const data = parsed.value;
  return { ok: true, content: data.schema === 'attention-profiler/report' ? { kind: 'run', report: loadReport(data) } : { kind: 'sweep', sweep: data } };
}
