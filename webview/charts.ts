import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SweepReport, SweepVariant } from '../src/model/sweep';
import { el } from './dom';
import { formatBytes } from '../src/model/format';
import { formatMs } from './format';

/** Series colours from the theme's chart palette, then the same colours dashed. */
const CHART_VARIABLES = [
  '--vscode-charts-blue',
  '--vscode-charts-red',
  '--vscode-charts-green',
  '--vscode-charts-orange',
  '--vscode-charts-purple',
  '--vscode-charts-yellow',
  '--vscode-foreground',
];

function chartColour(index: number): { stroke: string; dash?: number[] } {
  const style = getComputedStyle(document.body);
  const name = CHART_VARIABLES[index % CHART_VARIABLES.length];
  const stroke = style.getPropertyValue(name).trim() || style.getPropertyValue('--vscode-foreground').trim() || 'CanvasText';
  return index < CHART_VARIABLES.length ? { stroke } : { stroke, dash: [6, 4] };
}

interface ChartSpec {
  title: string;
  yLabel: string;
  value(v: SweepVariant, n: number): number | null;
  slope(v: SweepVariant): number | undefined;
  format(x: number): string;
}

const TIME: ChartSpec = {
  title: 'Time against N (fastest timed run, log-log)',
  yLabel: 'time',
  value: (v, n) => v.points.find((p) => p.n === n)?.time?.minMs ?? null,
  slope: (v) => v.fit.time?.slope,
  format: formatMs,
};

const MEMORY: ChartSpec = {
  title: 'Memory against N (measured peak intermediates, log-log)',
  yLabel: 'memory',
  value: (v, n) => v.points.find((p) => p.n === n)?.memory.measuredBytes ?? null,
  slope: (v) => v.fit.measuredMemory?.slope,
  format: formatBytes,
};

/**
 * The sweep's two charts, drawn with uPlot: one line per variant on log-log axes; the legend
 * carries each variant's fitted slope, and clicking a legend entry hides or shows its line.
 */
export class SweepCharts {
  readonly element: HTMLElement;
  private readonly plots: uPlot[] = [];
  private readonly resize: ResizeObserver;

  constructor(private readonly sweep: SweepReport) {
    this.element = el('section', 'charts');
    this.element.setAttribute('aria-label', 'Sweep charts');
    for (const spec of [TIME, MEMORY]) {
      const holder = el('div', 'chart');
      holder.dataset.chart = spec === TIME ? 'time' : 'memory';
      this.element.append(holder);
    }
    this.resize = new ResizeObserver(() => this.fit());
  }

  /** Draws the charts once the element is in the document (uPlot needs its width). */
  mount(): void {
    const holders = Array.from(this.element.querySelectorAll<HTMLElement>('.chart'));
    holders.forEach((holder, i) => this.plots.push(this.plot(i === 0 ? TIME : MEMORY, holder)));
    this.resize.observe(this.element);
  }

  destroy(): void {
    this.resize.disconnect();
    for (const p of this.plots) p.destroy();
  }

  /** The charts' canvases, for PNG export. */
  canvases(): Array<{ name: string; canvas: HTMLCanvasElement }> {
    return this.plots.map((p, i) => ({ name: i === 0 ? 'time-vs-n' : 'memory-vs-n', canvas: p.ctx.canvas }));
  }

  private width(): number {
    return Math.max(240, Math.min(900, this.element.clientWidth || 600));
  }

  private fit(): void {
    for (const p of this.plots) p.setSize({ width: this.width(), height: 300 });
  }

  private plot(spec: ChartSpec, holder: HTMLElement): uPlot {
    const lengths = this.sweep.settings.lengths;
    const foreground = getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || 'CanvasText';
    const grid = getComputedStyle(document.body).getPropertyValue('--vscode-panel-border').trim() || 'GrayText';
    const series: uPlot.Series[] = [
      { label: 'N' },
      ...this.sweep.variants.map((v, i) => {
        const slope = spec.slope(v);
        const colour = chartColour(i);
        return {
          label: `${v.id}${slope !== undefined ? ` (slope ${slope.toFixed(2)})` : ''}`,
          stroke: colour.stroke,
          ...(colour.dash ? { dash: colour.dash } : {}),
          width: v.id === 'full' ? 3 : 1.5,
          points: { show: true, size: 5 },
          value: (_u: uPlot, x: number | null) => (x === null ? '-' : spec.format(x)),
        };
      }),
    ];
    const data: uPlot.AlignedData = [lengths, ...this.sweep.variants.map((v) => lengths.map((n) => spec.value(v, n)))];
    const axis = { stroke: foreground, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 } };
    return new uPlot(
      {
        title: spec.title,
        width: this.width(),
        height: 300,
        scales: { x: { time: false, distr: 3, log: 2 }, y: { distr: 3, log: 10 } },
        axes: [
          { ...axis, label: 'N (tokens)' },
          { ...axis, label: spec.yLabel, size: 70, values: (_u, splits) => splits.map((s) => (s === null || s === undefined ? '' : spec.format(s))) },
        ],
        series,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      holder,
    );
  }
}

/** The fitted slopes and the crossovers against full, as a table. */
export function fitTable(sweep: SweepReport): HTMLElement {
  const table = el('table', 'fit-table');
  const head = el('tr');
  for (const h of ['variant', 'time slope', 'memory slope', 'faster than full', 'less memory than full']) head.append(el('th', undefined, h));
  table.append(head);
  for (const v of sweep.variants) {
    const row = el('tr');
    row.dataset.variant = v.id;
    row.append(
      el('td', undefined, v.id),
      el('td', undefined, v.fit.time ? v.fit.time.slope.toFixed(2) : '-'),
      el('td', undefined, v.fit.measuredMemory ? v.fit.measuredMemory.slope.toFixed(2) : '-'),
      el('td', undefined, v.crossover ? v.crossover.faster.detail : '-'),
      el('td', undefined, v.crossover ? v.crossover.lessMemory.detail : '-'),
    );
    table.append(row);
  }
  return table;
}

/** Points the sweep skipped or that failed, with their reasons (e.g. "would need 16.0 GiB"). */
export function sweepNotes(sweep: SweepReport): HTMLElement {
  const list = el('ul', 'sweep-notes');
  for (const v of sweep.variants) {
    for (const p of v.points) {
      if (p.status !== 'ok') list.append(el('li', p.status === 'failed' ? 'error' : 'note', `${v.id} at N = ${p.n}: ${p.status}${p.reason ? `: ${p.reason}` : ''}`));
      else if (p.time?.reducedRuns) list.append(el('li', 'note', `${v.id} at N = ${p.n}: ${p.time.runs} timed runs (slow point)`));
    }
  }
  return list;
}
