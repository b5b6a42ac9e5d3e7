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

/** Unicode's bidirectional controls: marks, embeddings, overrides and isolates. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/** First strong isolate and pop directional isolate: the text between them is laid out on its own. */
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * A token's text as the view shows it, in a tooltip, a title or an element's text: spaces, tabs
 * and newlines made visible, bidirectional controls shown by their code point (a right-to-left
 * override in a token would otherwise reverse what follows it, and a pop in it could close the
 * isolate early), cut after 24 characters, and isolated (FSI ... PDI) so that right-to-left text in
 * a token cannot reorder the rest of the line around it.
 */
export function isolateToken(text: string): string {
  const cut = text.length > 24 ? text.slice(0, 24) : text;
  const shown = cut
    .replace(/\n/gu, '\u21b5')
    .replace(/\t/gu, '\u2192')
    .replace(/ /gu, '\u00b7')
    .replace(BIDI_CONTROLS, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  return `${FSI}${shown}${cut === text ? '' : '\u2026'}${PDI}`;
}

/** A token for a tooltip: its index and its text (`isolateToken`). */
export function describeToken(tokens: ReadonlyArray<{ text: string }> | undefined, index: number): string {
  const text = tokens?.[index]?.text;
  if (text === undefined) return `#${index}`;
  return `#${index} "${isolateToken(text)}"`;
}

/** Position on a log scale between lo and hi, in [0, 1]. */
export function logPosition(value: number, lo: number, hi: number): number {
  if (!(value > 0) || !(hi > lo)) return value > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, Math.log(value / lo) / Math.log(hi / lo)));
}
