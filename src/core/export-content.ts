import { profileCsv, sweepCsv } from './export-csv';
import { htmlReport, type HtmlReportContent } from './export-html';
import type { ProfileReport, SweepReport } from './report';

export { mapsOfReport, reportWithMaps, type TypedMap } from './report-maps';

/** A file name stem for exports: what was measured and when. */
export function exportStem(content: { kind: 'run'; report: ProfileReport } | { kind: 'sweep'; sweep: SweepReport }): string {
  const stamp = (content.kind === 'run' ? content.report.createdAt : content.sweep.createdAt).replace(/[:.]/gu, '-').replace(/Z$/u, '');
  return content.kind === 'run' ? `attention-run-${content.report.input.n}-tokens-${stamp}` : `attention-sweep-${stamp}`;
}

/** An export's text: the versioned JSON report, the CSV, or the self-contained HTML report. */
export function exportText(format: 'json' | 'csv' | 'html', content: HtmlReportContent): string {
  if (format === 'html') return htmlReport(content);
  if (format === 'csv') return content.kind === 'run' ? profileCsv(content.report) : sweepCsv(content.sweep);
  return `${JSON.stringify(content.kind === 'run' ? content.report : content.sweep, null, 1)}\n`;
}
