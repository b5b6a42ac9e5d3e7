import type { ReportContent } from '../src/model/content';
import type { ProfileReport } from '../src/model/report';
import type { SweepReport } from '../src/model/sweep';
import { EXPORT_FORMATS } from '../src/model/exports';
import type { HostSide } from '../src/protocol/view';
import type { Endpoint } from '../src/protocol/channel';
import { button } from './button';
import type { SweepCharts } from './charts';
import { renderComparison } from './compare';
import { el } from './dom';
import type { Heatmap } from './heatmap';
import { markOmitted } from './omitted';
import { renderRun, renderSweep } from './render';
import type { Mode } from './state';
import type { Theme } from './theme';

type Host = Pick<Endpoint<never, HostSide>, 'emit'>;

/**
 * The results the view shows: the sweep (charts, slopes, crossovers) above the run (summary strip
 * and cards), each with its exports in the live view; a saved run or sweep; or a comparison.
 */
export class ResultsPanel {
  readonly sweepArea = el('div', 'sweep-area');
  readonly runArea = el('div', 'run-area');
  private heatmaps: Heatmap[] = [];
  private charts: SweepCharts | undefined;

  constructor(
    private readonly mode: Mode,
    private readonly host: Host,
    private readonly showMessage: (kind: 'info' | 'error', text: string) => void,
  ) {}

  setTheme(theme: Theme): void {
    for (const h of this.heatmaps) h.setTheme(theme);
  }

  showRun(report: ProfileReport, theme: Theme): void {
    const { element, heatmaps } = renderRun(report, theme);
    this.heatmaps = heatmaps;
    this.runArea.replaceChildren(...(this.mode === 'live' ? [this.exportBar('run')] : []), element);
  }

  showSweep(sweep: SweepReport): void {
    this.charts?.destroy();
    const { element, charts } = renderSweep(sweep);
    this.charts = charts;
    this.sweepArea.replaceChildren(...(this.mode === 'live' ? [this.exportBar('sweep')] : []), element);
    charts.mount();
  }

  showContent(content: ReportContent, theme: Theme): void {
    if (content.kind === 'run') this.showRun(content.report, theme);
    else this.showSweep(content.sweep);
  }

  /**
   * A saved run or sweep in place of whatever was shown (the file changed, or another one opened):
   * the other area is emptied, and each card says if its map was left out of the file and why.
   */
  showSaved(content: ReportContent, theme: Theme): void {
    this.clear();
    this.showContent(content, theme);
    if (content.kind === 'run' && content.omitted) markOmitted(this.runArea, content.omitted);
  }

  /** Empties both areas (the sweep and the run). */
  clear(): void {
    this.charts?.destroy();
    this.charts = undefined;
    this.heatmaps = [];
    this.sweepArea.replaceChildren();
    this.runArea.replaceChildren();
  }

  showComparison(a: { name: string; content: ReportContent }, b: { name: string; content: ReportContent }): void {
    this.runArea.replaceChildren(renderComparison(a, b));
  }

  /** Export buttons for the run or the sweep shown (live view only: the host has the results). */
  private exportBar(source: 'run' | 'sweep'): HTMLElement {
    const bar = el('div', 'row exports');
    bar.setAttribute('aria-label', `Export the ${source}`);
    bar.append(el('span', 'sub', source === 'run' ? 'Export run:' : 'Export sweep:'));
    for (const format of EXPORT_FORMATS) {
      bar.append(button(format.toUpperCase(), `Save the ${source} as ${format.toUpperCase()}`, () => this.host.emit('export', { format, source }), true));
    }
    bar.append(
      button('PNG', source === 'run' ? 'Save every map as PNG' : 'Save the charts as PNG', () => this.exportImages(source), true),
      button('Save run', `Save the ${source} as a *.attnprof.json file in the workspace`, () => this.host.emit('save', { source }), true),
    );
    return bar;
  }

  private exportImages(source: 'run' | 'sweep'): void {
    const canvases =
      source === 'run'
        ? Array.from(this.runArea.querySelectorAll<HTMLElement>('article.card')).flatMap((card) => {
            const canvas = card.querySelector<HTMLCanvasElement>('canvas.map-base');
            return canvas ? [{ name: `${card.dataset.variant ?? 'variant'}-map`, canvas }] : [];
          })
        : (this.charts?.canvases() ?? []);
    if (canvases.length === 0) {
      this.showMessage('error', `There is no ${source} to export yet.`);
      return;
    }
    this.host.emit('exportImages', { images: canvases.map((c) => ({ name: c.name, dataUrl: c.canvas.toDataURL('image/png') })) });
  }
}
