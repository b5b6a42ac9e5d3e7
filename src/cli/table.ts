import { formatGflops, type Efficiency } from '../model/efficiency';
import { formatBytes } from '../model/format';
import type { ProfileReport, VariantResult } from '../model/report';
import type { SweepReport } from '../model/sweep';
import { WALL_PHASE_LABELS, WALL_PHASES, type WallPhase } from '../model/wall-time';

/** A plain-text table with columns padded to their widest cell. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function formatCount(x: number): string {
  return x.toExponential(2).replace('e+', 'e');
}

function formatError(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x === 0) return '0';
  return x.toExponential(2);
}

function backendCell(r: VariantResult): string {
  const kernels = Object.entries(r.backend.kernels);
  if (r.backend.fallbacks.length === 0 || kernels.length === 0) return r.backend.selected;
  return `${r.backend.selected} (${kernels.map(([b, k]) => `${k} on ${b}`).join(', ')})`;
}

/** "2.41 (46%)": achieved GFLOP/s and the fraction of the backend's ceiling. */
function efficiencyCell(e: Efficiency | undefined): string {
  if (!e) return '-';
  return e.fractionOfCeiling === undefined ? formatGflops(e.achievedGflops) : `${formatGflops(e.achievedGflops)} (${Math.round(e.fractionOfCeiling * 100)}%)`;
}

/** The backend's ceiling, where it came from, or why there is none. */
function ceilingLine(report: ProfileReport): string {
  const c = report.ceiling;
  if (!c) return `ceiling: none${report.ceilingNote ? ` (${report.ceilingNote})` : ''}; GFLOP/s are shown without a fraction`;
  const when = c.fromCache ? `measured ${c.measuredAt.slice(0, 10)}, cached; --recalibrate measures it again` : 'measured in this run';
  return `ceiling: ${formatGflops(c.gflops)} GFLOP/s on ${c.backend}${c.threads > 1 ? ` (${c.threads} threads)` : ''} (${c.kernel}; ${when})${report.ceilingNote ? `; ${report.ceilingNote}` : ''}`;
}

function statusCell(r: VariantResult): string {
  if (r.status === 'ok') return r.directionNote ? 'ok*' : 'ok';
  return r.status;
}

/** The side-by-side table the `profile` command prints, with notes below for failures and labels. */
export function renderProfile(report: ProfileReport): string {
  const header = [
    'variant',
    'backend',
    'median ms',
    'min-max ms',
    'runs',
    'first ms',
    'GFLOP/s (% ceiling)',
    'mem predicted',
    'mem measured',
    'FLOPs (model)',
    'density',
    'err vs full',
    'status',
  ];
  const rows = report.variants.map((r) => [
    r.id,
    backendCell(r),
    r.time ? formatMs(r.time.medianMs) : '-',
    r.time ? `${formatMs(r.time.minMs)}-${formatMs(r.time.maxMs)}` : '-',
    r.time ? String(r.time.runs) : '-',
    r.time ? formatMs(r.time.firstCallMs) : '-',
    efficiencyCell(r.efficiency),
    formatBytes(r.memory.predictedBytes),
    r.memory.measuredBytes !== undefined ? formatBytes(r.memory.measuredBytes) : '-',
    formatCount(r.predictedFlops),
    r.density.toFixed(3),
    formatError(r.errorVsFull?.relFrobenius),
    statusCell(r),
  ]);
  const input = report.input;
  const lines = [
    `attention-profiler ${report.tool.version}: ${input.n} tokens (${input.kind === 'qkv' ? `Q/K/V from ${input.source}` : `${input.tokenizer}, ${input.source}`}), d = ${input.d}, ${input.causal ? 'causal' : 'bidirectional'}, seed ${input.seed}`,
    `backend: ${report.backend.selected} (${report.backend.device})${report.backend.requested === 'auto' ? ', chosen by auto' : ''}`,
    ...report.backend.probes.filter((p) => !p.ok && !p.reason.startsWith('not ')).map((p) => `  ${p.backend} not used: ${p.reason}`),
    '',
    renderTable(header, rows),
  ];
  const notes = report.variants.flatMap((r) => {
    const out: string[] = [];
    if (r.reason) out.push(`${r.id}: ${r.status}: ${r.reason}`);
    if (r.directionNote) out.push(`${r.id}: * ${r.directionNote}`);
    for (const f of r.backend.fallbacks) out.push(`${r.id}: gpu.js ran kernel "${f.kernel}" on ${f.ranOn}, not ${r.backend.selected}: ${f.reason}`);
    return out;
  });
  if (notes.length > 0) lines.push('', 'notes:', ...notes.map((n) => `  ${n}`));
  lines.push(
    '',
    `times: median of >= ${report.settings.repeats} timed runs after 1 to ${report.settings.warmups} warm-ups (read-back included); GFLOP/s: the cost model's FLOPs over the median time; memory: peak intermediates, predicted by the cost model and measured from the kernels' arrays; err vs full: relative Frobenius error against exact float64 attention on ${report.settings.checkedRows} rows`,
    ceilingLine(report),
  );
  if (report.cancelled) lines.push('the run was cancelled');
  return lines.join('\n');
}

/**
 * Where the run's wall time went (--verbose): the total per phase, then each variant's share of
 * the phases it spent time in.
 */
export function renderWallTime(report: ProfileReport): string {
  const wall = report.wallTime;
  if (!wall) return 'wall time: not recorded in this report';
  const share = (ms: number) => `${((100 * ms) / Math.max(wall.totalMs, 1e-9)).toFixed(0)}%`;
  const phaseRows = WALL_PHASES.filter((p) => wall.phases[p] > 0).map((p) => [p, formatMs(wall.phases[p]), share(wall.phases[p]), WALL_PHASE_LABELS[p]]);
  const perVariant: WallPhase[] = ['compile', 'gate', 'references', 'error', 'maps', 'warmups', 'timed', 'gc'];
  const variantRows = report.variants
    .filter((v) => v.wallMs)
    .map((v) => {
      const ms = v.wallMs!;
      return [v.id, formatMs(WALL_PHASES.reduce((sum, p) => sum + ms[p], 0)), ...perVariant.map((p) => (ms[p] > 0 ? formatMs(ms[p]) : '-'))];
    });
  return [
    `wall time: ${formatMs(wall.totalMs)} ms`,
    renderTable(['phase', 'ms', 'share', 'what'], phaseRows),
    '',
    'per variant (ms):',
    renderTable(['variant', 'total', ...perVariant], variantRows),
  ].join('\n');
}

/** The sweep as text: per variant, time and memory at every length, then the fits and crossovers. */
export function renderSweep(report: SweepReport): string {
  const lines = [
    `attention-profiler ${report.tool.version}: sweep over N = ${report.settings.lengths.join(', ')}; d = ${report.settings.d}, ${report.settings.causal ? 'causal' : 'bidirectional'}, seed ${report.settings.seed}; ${report.settings.tokens}`,
    `backend: ${report.backend.selected} (${report.backend.device})`,
    '',
  ];
  const header = ['variant', 'N', 'median ms', 'min-max ms', 'runs', 'mem predicted', 'mem measured', 'status'];
  const rows: string[][] = [];
  for (const v of report.variants) {
    for (const p of v.points) {
      rows.push([
        v.id,
        String(p.n),
        p.time ? formatMs(p.time.medianMs) : '-',
        p.time ? `${formatMs(p.time.minMs)}-${formatMs(p.time.maxMs)}` : '-',
        p.time ? `${p.time.runs}${p.time.reducedRuns ? ' (slow)' : ''}` : '-',
        formatBytes(p.memory.predictedBytes + p.memory.weightBytes),
        p.memory.measuredBytes !== undefined ? formatBytes(p.memory.measuredBytes) : '-',
        p.status === 'ok' ? `ok${p.reason ? ` (${p.reason})` : ''}` : `${p.status}: ${p.reason ?? ''}`,
      ]);
    }
  }
  lines.push(renderTable(header, rows), '', 'log-log slopes (least squares over the lengths that ran, of the fastest timed run at each length) and crossovers against full:');
  const fitRows = report.variants.map((v) => [
    v.id,
    v.fit.time ? v.fit.time.slope.toFixed(2) : '-',
    v.fit.measuredMemory ? v.fit.measuredMemory.slope.toFixed(2) : '-',
    v.fit.predictedMemory ? v.fit.predictedMemory.slope.toFixed(2) : '-',
    v.crossover ? v.crossover.faster.detail : '-',
    v.crossover ? v.crossover.lessMemory.detail : '-',
  ]);
  lines.push(renderTable(['variant', 'time slope', 'memory slope', 'memory slope (model)', 'faster than full', 'less memory than full'], fitRows));
  if (report.cancelled) lines.push('the sweep was cancelled; the points measured before are kept');
  return lines.join('\n');
}
