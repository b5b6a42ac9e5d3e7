import './zod-config';
import { omittedLine } from '../src/model/content';
import { readSaved } from '../src/model/exports';
import { el } from './dom';
import { markOmitted } from './omitted';
import { renderRun, renderSweep } from './render';
import { readTheme } from './theme';

/**
 * The script of an exported HTML report: draws the embedded run (summary, cards, maps) or sweep
 * (charts, slopes, crossovers) with the view's own code, offline. The data is read as a saved file
 * is: a map that cannot be read is left out and said, the rest is shown.
 */
function embedded(): unknown {
  const text = document.getElementById('report-data')?.textContent ?? 'null';
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data === 'object' && data !== null && 'kind' in data) return data.kind === 'run' && 'report' in data ? data.report : 'sweep' in data ? data.sweep : data;
    return data;
  } catch {
    return undefined;
  }
}

const app = document.getElementById('app');
if (!app) throw new Error('the report has no #app element');
const read = readSaved(embedded());
if (!read.ok) {
  app.replaceChildren(el('p', 'error', `This report's data could not be read: ${read.error}`));
} else if (read.content.kind === 'run') {
  const { report, omitted = [] } = read.content;
  app.replaceChildren(el('h1', undefined, `Attention Profiler: ${report.input.n} tokens`));
  if (omitted.length > 0) app.append(el('p', 'error', omittedLine(omitted)));
  const { element } = renderRun(report, readTheme());
  markOmitted(element, omitted);
  app.append(element);
} else {
  app.replaceChildren(el('h1', undefined, 'Attention Profiler sweep'));
  const { element, charts } = renderSweep(read.content.sweep);
  app.append(element);
  charts.mount();
}
