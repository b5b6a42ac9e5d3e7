import { z } from 'zod';

/**
 * How fast a backend can go on this machine: the GFLOP/s of a calibration kernel (dense Q K^T in
 * the engine's fastest kernel shape), measured once per backend, thread count and machine, and
 * cached with its date. A variant's achieved GFLOP/s over this ceiling tells a kernel that is slow
 * by design (little work, but work the backend does badly) from one that wastes the machine.
 */
export const ceilingSchema = z.object({
  backend: z.string(),
  threads: z.number().int(),
  gflops: z.number().describe('GFLOP/s of the calibration kernel (2 FLOPs per multiply-add), median of its timed runs'),
  kernel: z.string().describe('what the calibration kernel computes'),
  measuredAt: z.string().describe('when the ceiling was measured (ISO 8601)'),
  machine: z.string().describe('the machine it was measured on: CPU, cores, platform, device'),
  fromCache: z.boolean().describe('read from the cache (measured earlier, on measuredAt) rather than in this run'),
});
export type Ceiling = z.infer<typeof ceilingSchema>;

export const efficiencySchema = z
  .object({
    achievedGflops: z.number().describe("the cost model's FLOPs (as the kernels compute them) over the median time"),
    fractionOfCeiling: z.number().optional().describe("achievedGflops over the backend's calibration ceiling"),
  })
  .describe('how much of the backend the variant used');
export type Efficiency = z.infer<typeof efficiencySchema>;

/** GFLOP/s from FLOPs and milliseconds. */
export function gflopsOf(flops: number, ms: number): number {
  return ms > 0 ? flops / (ms * 1e6) : 0;
}

/** A timed variant's achieved rate and, when the ceiling is known, its fraction of it. */
export function efficiencyOf(flops: number, medianMs: number, ceiling: Ceiling | undefined): Efficiency {
  const achievedGflops = gflopsOf(flops, medianMs);
  return { achievedGflops, ...(ceiling && ceiling.gflops > 0 ? { fractionOfCeiling: achievedGflops / ceiling.gflops } : {}) };
}

/** "2.41 GFLOP/s, 46% of the ceiling" (or without the fraction). */
export function describeEfficiency(e: Efficiency): string {
  const rate = `${formatGflops(e.achievedGflops)} GFLOP/s`;
  return e.fractionOfCeiling === undefined ? rate : `${rate}, ${Math.round(e.fractionOfCeiling * 100)}% of the ceiling`;
}

export function formatGflops(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
