import type { ProfileReport } from './report';
import type { SweepReport } from './sweep';

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/u.test(text) ? `"${text.replace(/"/gu, '""')}"` : text;
}

function csv(header: string[], rows: Array<Array<string | number | boolean | undefined>>): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** A run as CSV: one row per variant (at the run's length). Units in the column names. */
export function profileCsv(report: ProfileReport): string {
  const header = [
    'variant',
    'n',
    'status',
    'backend',
    'median_ms',
    'min_ms',
    'max_ms',
    'runs',
    'first_call_ms',
    'achieved_gflops',
    'fraction_of_ceiling',
    'predicted_bytes',
    'measured_bytes',
    'weight_bytes',
    'predicted_flops',
    'nnz',
    'density',
    'rel_error_vs_full',
    'mean_kl_vs_full',
    'reason',
  ];
  const rows = report.variants.map((v) => [
    v.id,
    report.input.n,
    v.status,
    v.backend.selected,
    v.time?.medianMs,
    v.time?.minMs,
    v.time?.maxMs,
    v.time?.runs,
    v.time?.firstCallMs,
    v.efficiency?.achievedGflops,
    v.efficiency?.fractionOfCeiling,
    v.memory.predictedBytes,
    v.memory.measuredBytes,
    v.memory.weightBytes,
    v.predictedFlops,
    v.nnz,
    v.density,
    v.errorVsFull?.relFrobenius,
    v.errorVsFull?.meanKl,
    v.reason,
  ]);
  return csv(header, rows);
}

/** A sweep as CSV: one row per variant and length. */
export function sweepCsv(report: SweepReport): string {
  const header = [
    'variant',
    'n',
    'status',
    'median_ms',
    'min_ms',
    'max_ms',
    'runs',
    'reduced_runs',
    'first_call_ms',
    'predicted_bytes',
    'measured_bytes',
    'weight_bytes',
    'predicted_flops',
    'reason',
  ];
  const rows = report.variants.flatMap((v) =>
    v.points.map((p) => [
      v.id,
      p.n,
      p.status,
      p.time?.medianMs,
      p.time?.minMs,
      p.time?.maxMs,
      p.time?.runs,
      p.time?.reducedRuns,
      p.time?.firstCallMs,
      p.memory.predictedBytes,
      p.memory.measuredBytes,
      p.memory.weightBytes,
      p.predictedFlops,
      p.reason,
    ]),
  );
  return csv(header, rows);
}
