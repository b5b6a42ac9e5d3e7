import { z } from 'zod';

export const fitSchema = z.object({
  slope: z.number().describe('least-squares slope of ln(value) against ln(N)'),
  intercept: z.number(),
  r2: z.number(),
  points: z.array(z.number().int()).describe('the lengths used'),
});
export type Fit = z.infer<typeof fitSchema>;

export const crossoverSchema = z.object({
  kind: z.enum(['between', 'from-start', 'not-in-range', 'unknown']),
  n: z.number().optional().describe('the crossover length (interpolated on the log-log line between two measured lengths), or the first length'),
  detail: z.string(),
});
export type Crossover = z.infer<typeof crossoverSchema>;

/** Least-squares line through (ln N, ln value) for the points with a positive value; needs two. */
export function logLogFit(points: ReadonlyArray<{ n: number; value: number | undefined }>): Fit | undefined {
  const used = points.filter((p): p is { n: number; value: number } => p.value !== undefined && p.value > 0 && p.n > 0);
  if (used.length < 2) return undefined;
  const xs = used.map((p) => Math.log(p.n));
  const ys = used.map((p) => Math.log(p.value));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy), points: used.map((p) => p.n) };
}

/**
 * Where a variant starts to beat `full` (lower time or memory), from values at the lengths both
 * were measured: the length after which it stays lower, interpolated on the log-log line between
 * the last length where it was not and the first where it was.
 */
export function crossover(variant: ReadonlyMap<number, number>, full: ReadonlyMap<number, number>, what: { lower: string; quantity: string }): Crossover {
  const common = [...variant.keys()].filter((n) => full.has(n)).sort((a, b) => a - b);
  if (common.length === 0) return { kind: 'unknown', detail: `full and this variant were not both measured at any length` };
  const ratio = (n: number) => (variant.get(n) as number) / (full.get(n) as number);
  let firstLower = common.length;
  while (firstLower > 0 && ratio(common[firstLower - 1]) < 1) firstLower--;
  if (firstLower === common.length) return { kind: 'not-in-range', detail: `not ${what.lower} than full up to N = ${common[common.length - 1]}` };
  if (firstLower === 0) return { kind: 'from-start', n: common[0], detail: `${what.lower} than full at every length measured (from N = ${common[0]})` };
  const a = common[firstLower - 1];
  const b = common[firstLower];
  const ra = Math.log(ratio(a));
  const rb = Math.log(ratio(b));
  const n = Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * ra) / (ra - rb));
  return { kind: 'between', n, detail: `${what.lower} than full from N ~ ${Math.round(n)} (${what.quantity}: between N = ${a} and N = ${b})` };
}
