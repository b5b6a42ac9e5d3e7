export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatCount(x: number): string {
  if (x < 1e4) return String(Math.round(x));
  return x.toExponential(2).replace('e+', 'e');
}

export function formatError(x: number): string {
  if (x === 0) return '0';
  return x < 1e-3 || x >= 1e3 ? x.toExponential(2) : x.toPrecision(3);
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)}%`;
}

/** A token for a tooltip: its text made visible (spaces, newlines) and its index. */
export function describeToken(tokens: ReadonlyArray<{ text: string }> | undefined, index: number): string {
  const text = tokens?.[index]?.text;
  if (text === undefined) return `#${index}`;
  const shown = text.replace(/\n/gu, '\u21b5').replace(/\t/gu, '\u2192').replace(/ /gu, '\u00b7');
  return `#${index} "${shown.length > 24 ? `${shown.slice(0, 24)}\u2026` : shown}"`;
}

/** Position on a log scale between lo and hi, in [0, 1]. */
export function logPosition(value: number, lo: number, hi: number): number {
  if (!(value > 0) || !(hi > lo)) return value > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, Math.log(value / lo) / Math.log(hi / lo)));
}
