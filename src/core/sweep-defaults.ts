import { UserError } from './errors';

/** Time budget per sweep point: past it, a point stops at the minimum of 3 timed runs. */
export const DEFAULT_POINT_BUDGET_MS = 2000;

export const DEFAULT_SWEEP_LENGTHS = [256, 512, 1024, 2048, 4096, 8192, 16384];

/** The longest sequence any command accepts. */
export const MAX_LENGTH = 65536;

/** "256, 512 1024": lengths separated by commas or spaces, each 1..65536; sorted, without repeats. */
export function parseLengths(text: string): number[] {
  const parts = text.split(/[\s,]+/u).filter((p) => p.length > 0);
  if (parts.length === 0) throw new UserError('the list of lengths is empty');
  const lengths = parts.map((p) => {
    if (!/^\d+$/u.test(p)) throw new UserError(`length "${p}" is not a positive integer`);
    const n = Number(p);
    if (n < 1 || n > MAX_LENGTH) throw new UserError(`length ${n} is out of range: 1 <= N <= ${MAX_LENGTH}`);
    return n;
  });
  return [...new Set(lengths)].sort((a, b) => a - b);
}
