import type { ReportContent } from './content';

/** One figure of one variant at one length in two runs, and whether the difference is real. */
export interface ComparedFigure {
  a: number | undefined;
  b: number | undefined;
  /** b / a, when both exist and a > 0. */
  ratio: number | undefined;
  /** 'better' or 'worse' when the difference is larger than the noise; 'same' otherwise. */
  verdict: 'better' | 'worse' | 'same' | 'missing';
}

export interface ComparedRow {
  id: string;
  n: number;
  time: ComparedFigure;
  memory: ComparedFigure;
  error: ComparedFigure;
}

interface Figures {
  time?: { medianMs: number; minMs: number; maxMs: number };
  memoryBytes?: number;
  error?: number;
}

/**
 * Rows (variant, length) of two saved runs or sweeps. Times differ when their min-max ranges do
 * not overlap and the medians differ by 10% or more (the machines are noisy); memory and error are
 * deterministic for the same settings, so a 1% change counts. Lower is better for all three.
 */
export function compareRuns(a: ReportContent, b: ReportContent): ComparedRow[] {
  const fa = figures(a);
  const fb = figures(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])];
  return keys.map((key) => {
    const [id, n] = key.split('@') as [string, string];
    const x = fa.get(key);
    const y = fb.get(key);
    const timesApart = x?.time && y?.time ? x.time.maxMs < y.time.minMs || y.time.maxMs < x.time.minMs : false;
    return {
      id,
      n: Number(n),
      time: figure(x?.time?.medianMs, y?.time?.medianMs, (r) => timesApart && Math.abs(r - 1) >= 0.1),
      memory: figure(x?.memoryBytes, y?.memoryBytes, (r) => Math.abs(r - 1) >= 0.01),
      error: figure(x?.error, y?.error, (r) => Math.abs(r - 1) >= 0.01),
    };
  });
}

function figure(a: number | undefined, b: number | undefined, differs: (ratio: number) => boolean): ComparedFigure {
  if (a === undefined || b === undefined) return { a, b, ratio: undefined, verdict: 'missing' };
  const ratio = a > 0 ? b / a : b === 0 ? 1 : Infinity;
  return { a, b, ratio, verdict: differs(ratio) ? (ratio < 1 ? 'better' : 'worse') : 'same' };
}

function figures(content: ReportContent): Map<string, Figures> {
  const out = new Map<string, Figures>();
  if (content.kind === 'run') {
    const r = content.report;
    for (const v of r.variants) {
      out.set(`${v.id}@${r.input.n}`, {
        ...(v.time ? { time: v.time } : {}),
        ...(v.memory.measuredBytes !== undefined ? { memoryBytes: v.memory.measuredBytes } : {}),
        ...(v.errorVsFull ? { error: v.errorVsFull.relFrobenius } : {}),
      });
    }
  } else {
    for (const v of content.sweep.variants) {
      for (const p of v.points) {
        out.set(`${v.id}@${p.n}`, { ...(p.time ? { time: p.time } : {}), ...(p.memory.measuredBytes !== undefined ? { memoryBytes: p.memory.measuredBytes } : {}) });
      }
    }
  }
  return out;
}
