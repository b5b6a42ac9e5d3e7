import type { ProfileReport } from '../src/model/report';
import type { SweepReport } from '../src/model/sweep';
import { backendSummary, buildCard, memoryScale } from './cards';
import { SweepCharts, fitTable, sweepNotes } from './charts';
import { el } from './dom';
import type { Heatmap } from './heatmap';
import { buildSummary } from './summary';
import type { Theme } from './theme';

/** A run as the view shows it: the settings line, the summary strip and the cards. */
export function renderRun(report: ProfileReport, theme: Theme): { element: HTMLElement; heatmaps: Heatmap[] } {
  const heatmaps: Heatmap[] = [];
  const section = el('section', 'run');
  section.append(
    el(
      'p',
      'backend-line',
      `${report.input.n} tokens, d = ${report.input.d}, ${report.input.causal ? 'causal' : 'bidirectional'}, seed ${report.input.seed}. ${backendSummary(report)}`,
    ),
  );
  const grid = el('div', 'cards');
  const scale = memoryScale(report.variants);
  const hover = (query: number | null) => {
    for (const h of heatmaps) h.highlightQuery(query);
  };
  for (const v of report.variants) {
    const { element, heatmap } = buildCard(v, report, theme, scale, hover);
    if (heatmap) heatmaps.push(heatmap);
    grid.append(element);
  }
  section.append(buildSummary(report), grid);
  return { element: section, heatmaps };
}

/** A sweep: charts (mounted by the caller once attached), slopes and crossovers, skipped points. */
export function renderSweep(sweep: SweepReport): { element: HTMLElement; charts: SweepCharts } {
  const section = el('section', 'sweep');
  section.append(
    el('h2', undefined, `Sweep: N = ${sweep.settings.lengths.join(', ')}${sweep.cancelled ? ' (cancelled: the points measured are shown)' : ''}`),
    el(
      'p',
      'backend-line',
      `d = ${sweep.settings.d}, ${sweep.settings.causal ? 'causal' : 'bidirectional'}, seed ${sweep.settings.seed}; ${sweep.settings.tokens}; on ${sweep.backend.selected} (${sweep.backend.device}).`,
    ),
  );
  const charts = new SweepCharts(sweep);
  section.append(charts.element, el('h2', undefined, 'Log-log slopes and crossovers against full (this machine, this backend)'), fitTable(sweep), sweepNotes(sweep));
  return { element: section, charts };
}
