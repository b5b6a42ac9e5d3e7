import type { ProfileReport } from '../src/model/report';
import { bar, el } from './dom';
import { formatBytes } from '../src/model/format';
import { formatMs, logPosition } from './format';

/**
 * The summary strip: every variant's time and memory as bars on a shared log scale, with `full`
 * marked as the baseline (its value drawn as a line across every row).
 */
export function buildSummary(report: ProfileReport): HTMLElement {
  const section = el('section', 'summary');
  section.setAttribute('aria-label', 'Summary: time and memory of every variant, log scale');
  section.append(el('h2', undefined, 'Time and memory (log scale; full = baseline)'));
  const ran = report.variants.filter((v) => v.time);
  if (ran.length === 0) {
    section.append(el('p', 'note', 'No variant was timed.'));
    return section;
  }
  const times = ran.map((v) => v.time!.medianMs);
  const memories = report.variants.map((v) => v.memory.measuredBytes ?? v.memory.predictedBytes).filter((x) => x > 0);
  const tScale = { lo: Math.min(...times) / 2, hi: Math.max(...times) };
  const mScale = { lo: Math.min(...memories) / 2, hi: Math.max(...memories) };
  const full = report.variants.find((v) => v.id === 'full');
  const table = el('div', 'summary-grid');
  table.setAttribute('role', 'table');
  const head = el('div', 'summary-row summary-head');
  head.setAttribute('role', 'row');
  for (const h of ['variant', 'time (median)', 'memory (measured)']) head.append(el('span', undefined, h));
  table.append(head);
  for (const v of report.variants) {
    const row = el('div', `summary-row${v.id === 'full' ? ' baseline' : ''}`);
    row.setAttribute('role', 'row');
    row.append(el('span', 'summary-name', v.id === 'full' ? `${v.id} (baseline)` : v.id));
    row.append(track(v.time?.medianMs, tScale, full?.time?.medianMs, v.time ? formatMs(v.time.medianMs) : v.status));
    const bytes = v.memory.measuredBytes ?? (v.status === 'ok' ? v.memory.predictedBytes : undefined);
    const fullBytes = full?.memory.measuredBytes ?? full?.memory.predictedBytes;
    row.append(track(bytes, mScale, fullBytes, bytes !== undefined ? formatBytes(bytes) : `${v.status} (predicted ${formatBytes(v.memory.predictedBytes)})`));
    table.append(row);
  }
  section.append(table);
  return section;
}

function track(value: number | undefined, scale: { lo: number; hi: number }, baseline: number | undefined, label: string): HTMLElement {
  const cell = el('span', 'track');
  cell.setAttribute('role', 'cell');
  if (value !== undefined && value > 0) cell.append(bar('value', logPosition(value, scale.lo, scale.hi), label));
  if (baseline !== undefined && baseline > 0) {
    const marker = el('span', 'baseline-marker');
    marker.style.setProperty('left', `${(logPosition(baseline, scale.lo, scale.hi) * 100).toFixed(2)}%`);
    marker.setAttribute('aria-hidden', 'true');
    cell.append(marker);
  }
  cell.append(el('span', 'track-label', label));
  return cell;
}
