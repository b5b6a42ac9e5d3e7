import type { ProfileReport, VariantResult } from '../src/model/report';
import { bar, el } from './dom';
import { backendLabel } from '../src/model/backends';
import { formatGflops } from '../src/model/efficiency';
import { formatBytes } from '../src/model/format';
import { formatCount, formatError, formatMs, formatPercent, logPosition } from './format';
import { Heatmap } from './heatmap';
import type { Theme } from './theme';

export interface MemoryScale {
  lo: number;
  hi: number;
}

/** One log scale for the memory bars of every card, so the bars compare across cards. */
export function memoryScale(variants: readonly VariantResult[]): MemoryScale {
  const values = variants.flatMap((v) => [v.memory.predictedBytes, v.memory.measuredBytes ?? 0]).filter((x) => x > 0);
  const hi = Math.max(1024, ...values);
  const lo = Math.min(hi / 16, ...values.map((x) => x / 2));
  return { lo, hi };
}

function metric(list: HTMLElement, term: string, ...content: Array<string | Node>): void {
  list.append(el('dt', undefined, term));
  const dd = el('dd');
  dd.append(...content);
  list.append(dd);
}

function statusText(v: VariantResult): string {
  return v.status === 'ok' ? 'ok' : v.status;
}

/**
 * A card: name and family, the map, and the measured numbers: time (median, range, runs, first
 * call), memory predicted vs measured on the shared scale, FLOPs (model), density, error against
 * full, the backend that ran and why others did not. A failed or skipped variant shows its reason.
 */
export function buildCard(
  v: VariantResult,
  report: ProfileReport,
  theme: Theme,
  scale: MemoryScale,
  onHoverQuery: (query: number | null) => void,
): { element: HTMLElement; heatmap: Heatmap | undefined } {
  const card = el('article', `card status-${v.status}`);
  card.dataset.variant = v.id;
  const header = el('header');
  header.append(el('h3', undefined, v.name), el('span', 'family', v.family), el('span', `badge badge-${v.status}`, statusText(v)));
  card.append(header);

  let heatmap: Heatmap | undefined;
  const map = v.map;
  if (map) {
    heatmap = new Heatmap(map, report.input.tokens, theme, v.name, onHoverQuery);
    card.append(heatmap.element);
    const downsampled = map.rows < map.sourceRows || map.cols < map.sourceCols;
    card.append(
      el(
        'p',
        'map-note',
        `${map.kind === 'mask' ? 'mask' : `effective weights: ${v.attribution}`}${downsampled ? `; ${map.sourceRows} x ${map.sourceCols} shown as ${map.rows} x ${map.cols}` : ''}`,
      ),
    );
  }

  const list = el('dl', 'metrics');
  if (v.time) {
    const t = v.time;
    metric(
      list,
      'time',
      `${formatMs(t.medianMs)} median`,
      el('span', 'sub', ` ${formatMs(t.minMs)}\u2013${formatMs(t.maxMs)}, ${t.runs} runs; first call ${formatMs(t.firstCallMs)}`),
    );
  } else {
    metric(list, 'time', el('span', 'sub', v.status === 'ok' ? '-' : 'not timed'));
  }
  if (v.efficiency) metric(list, 'GFLOP/s', formatGflops(v.efficiency.achievedGflops), el('span', 'sub', ceilingShare(v, report)));
  const memory = el('div', 'membars');
  memory.append(
    bar('predicted', logPosition(v.memory.predictedBytes, scale.lo, scale.hi), `predicted ${formatBytes(v.memory.predictedBytes)}`),
    bar('measured', logPosition(v.memory.measuredBytes ?? 0, scale.lo, scale.hi), `measured ${v.memory.measuredBytes === undefined ? '-' : formatBytes(v.memory.measuredBytes)}`),
  );
  metric(
    list,
    'memory',
    memory,
    el(
      'span',
      'sub',
      `predicted ${formatBytes(v.memory.predictedBytes)}, measured ${v.memory.measuredBytes === undefined ? '-' : formatBytes(v.memory.measuredBytes)}${v.memory.weightBytes > 0 ? `; weights ${formatBytes(v.memory.weightBytes)}` : ''}`,
    ),
  );
  metric(list, 'FLOPs (model)', formatCount(v.predictedFlops));
  metric(list, 'density', `${formatPercent(v.density)} of N\u00b2`);
  if (v.errorVsFull) {
    metric(
      list,
      'error vs full',
      formatError(v.errorVsFull.relFrobenius),
      el('span', 'sub', v.errorVsFull.meanKl !== undefined ? `; KL ${formatError(v.errorVsFull.meanKl)}` : ''),
    );
  }
  const fallbacks = v.backend.fallbacks.map((f) => `${f.kernel} ran on ${f.ranOn}: ${f.reason}`).join('; ');
  const notTaken = fasterNotTaken(report);
  metric(list, 'backend', ranOn(report), el('span', 'sub', `${fallbacks ? `; ${fallbacks}` : ''}${notTaken.length > 0 ? `; not taken: ${notTaken.join('; ')}` : ''}`));
  card.append(list);
  if (v.directionNote) card.append(el('p', 'note', v.directionNote));
  if (v.reason) {
    const reason = el('p', v.status === 'failed' ? 'error' : 'note', v.reason);
    reason.setAttribute('role', v.status === 'failed' ? 'alert' : 'note');
    card.append(reason);
  }
  return { element: card, heatmap };
}

/** "; 46% of the ceiling (4.56 GFLOP/s, calibrated 2026-12-02)", or why there is no ceiling. */
function ceilingShare(v: VariantResult, report: ProfileReport): string {
  const c = report.ceiling;
  if (!c || v.efficiency?.fractionOfCeiling === undefined) return `; no ceiling${report.ceilingNote ? `: ${report.ceilingNote}` : ''}`;
  return `; ${Math.round(v.efficiency.fractionOfCeiling * 100)}% of the ${c.backend} ceiling (${formatGflops(c.gflops)} GFLOP/s, calibrated ${c.measuredAt.slice(0, 10)})`;
}

/** "webgpu (view), WebGPU: google swiftshader ...": the lane, the backend and the adapter or renderer that ran. */
export function ranOn(report: ProfileReport): string {
  return `${backendLabel(report.backend.selected)}${report.backend.device ? `, ${report.backend.device}` : ''}`;
}

/** The backends tried before the one that ran, and why each was not taken. */
function fasterNotTaken(report: ProfileReport): string[] {
  const probes = report.backend.probes;
  const ran = probes.findIndex((p) => p.backend === report.backend.selected);
  return probes.slice(0, Math.max(0, ran)).map((p) => `${backendLabel(p.backend)}: ${p.reason}`);
}

/** What ran, and why each other backend was not used. */
export function backendSummary(report: ProfileReport): string {
  const others = report.backend.probes.filter((p) => p.backend !== report.backend.selected).map((p) => `${backendLabel(p.backend)}: ${p.reason}`);
  return `Ran on ${ranOn(report)}.${others.length > 0 ? ` ${others.join('; ')}.` : ''}`;
}
