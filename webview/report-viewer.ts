import './zod-config';
import { z } from 'zod';
import { storedReportSchema, loadReport } from '../src/model/report';
import { sweepReportSchema } from '../src/model/sweep';
import { el } from './dom';
import { renderRun, renderSweep } from './render';
import { readTheme } from './theme';

/**
 * The script of an exported HTML report: draws the embedded run (summary, cards, maps) or sweep
 * (charts, slopes, crossovers) with the view's own code, offline.
 */
const embeddedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), report: storedReportSchema }),
  z.object({ kind: z.literal('sweep'), sweep: sweepReportSchema }),
]);

const app = document.getElementById('app');
const parsed = embeddedSchema.safeParse(JSON.parse(document.getElementById('report-data')?.textContent ?? 'null'));
if (!app) throw new Error('the report has no #app element');
if (!parsed.success) {
  app.replaceChildren(el('p', 'error', `This report's data could not be read: ${parsed.error.issues[0]?.message ?? 'malformed'}`));
} else if (parsed.data.kind === 'run') {
  const report = loadReport(parsed.data.report);
  app.replaceChildren(el('h1', undefined, `Attention Profiler: ${report.input.n} tokens`));
  app.append(renderRun(report, readTheme()).element);
} else {
  app.replaceChildren(el('h1', undefined, 'Attention Profiler sweep'));
  const { element, charts } = renderSweep(parsed.data.sweep);
  app.append(element);
  charts.mount();
}
