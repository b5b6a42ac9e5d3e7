import './zod-config';
import { mapsOfReport } from '../src/core/report-maps';
import type { ReportContent } from '../src/core/report';
import type { RunResult } from '../src/protocol';
import { el } from './dom';
import { renderRun, renderSweep } from './render';
import { readTheme } from './theme';

/**
 * The script of an exported HTML report: draws the embedded run (summary, cards, maps) or sweep
 * (charts, slopes, crossovers) with the view's own code, offline.
 */
const data = document.getElementById('report-data')?.textContent ?? 'null';
const content = JSON.parse(data) as ReportContent;
const app = document.getElementById('app') as HTMLElement;
const theme = readTheme();
if (content.kind === 'run') {
  app.replaceChildren(el('h1', undefined, `Attention Profiler: ${content.report.input.n} tokens`));
  app.append(renderRun({ report: content.report, maps: mapsOfReport(content.report) as RunResult['maps'] }, theme).element);
} else {
  app.replaceChildren(el('h1', undefined, 'Attention Profiler sweep'));
  const { element, charts } = renderSweep(content.sweep);
  app.append(element);
  charts.mount();
}
