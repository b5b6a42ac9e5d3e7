import { compareRuns, type ComparedFigure } from '../src/model/compare';
import type { ReportContent } from '../src/model/content';
import { el } from './dom';
import { formatBytes } from '../src/model/format';
import { formatError, formatMs } from './format';

function describe(content: ReportContent): string {
  return content.kind === 'run'
    ? `run: ${content.report.input.n} tokens, d = ${content.report.input.d}, ${content.report.backend.selected}, ${content.report.createdAt}`
    : `sweep: N = ${content.sweep.settings.lengths.join(', ')}, ${content.sweep.backend.selected}, ${content.sweep.createdAt}`;
}

function cell(f: ComparedFigure, format: (x: number) => string): HTMLElement[] {
  const a = el('td', undefined, f.a === undefined ? '-' : format(f.a));
  const b = el('td', undefined, f.b === undefined ? '-' : format(f.b));
  const change = el('td', `change change-${f.verdict}`, f.ratio === undefined ? '-' : `${f.ratio >= 1 ? '+' : ''}${((f.ratio - 1) * 100).toFixed(1)}%`);
  if (f.verdict === 'better' || f.verdict === 'worse') change.title = `B is ${f.verdict} than A beyond the noise`;
  return [a, b, change];
}

/**
 * Two saved runs side by side: one row per variant and length with A, B and the change of time,
 * memory and error; changes beyond the noise are highlighted (better or worse).
 */
export function renderComparison(a: { name: string; content: ReportContent }, b: { name: string; content: ReportContent }): HTMLElement {
  const section = el('section', 'comparison');
  section.append(el('h2', undefined, 'Comparison of two saved runs'));
  const sides = el('div', 'comparison-sides');
  sides.append(el('p', undefined, `A: ${a.name} (${describe(a.content)})`), el('p', undefined, `B: ${b.name} (${describe(b.content)})`));
  section.append(sides);
  const table = el('table', 'compare-table');
  const head1 = el('tr');
  head1.append(el('th', undefined, 'variant'), el('th', undefined, 'N'));
  for (const h of ['time (median)', 'memory (measured)', 'error vs full']) {
    const th = el('th', undefined, h);
    th.colSpan = 3;
    head1.append(th);
  }
  const head2 = el('tr');
  head2.append(el('th'), el('th'));
  for (let i = 0; i < 3; i++) head2.append(el('th', undefined, 'A'), el('th', undefined, 'B'), el('th', undefined, 'change'));
  table.append(head1, head2);
  for (const row of compareRuns(a.content, b.content)) {
    const tr = el('tr');
    tr.dataset.variant = row.id;
    tr.append(el('td', undefined, row.id), el('td', undefined, String(row.n)), ...cell(row.time, formatMs), ...cell(row.memory, formatBytes), ...cell(row.error, formatError));
    table.append(tr);
  }
  section.append(
    table,
    el('p', 'note', 'Highlighted: B better or worse than A beyond the noise (times: ranges apart and 10% or more; memory and error: 1% or more). Lower is better.'),
  );
  return section;
}
