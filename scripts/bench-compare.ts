import { z } from 'zod';

/** One variant at one length in a benchmark run. */
export const benchEntrySchema = z.object({
  id: z.string(),
  n: z.number().int(),
  status: z.string(),
  medianMs: z.number().optional(),
  minMs: z.number().optional(),
  maxMs: z.number().optional(),
  runs: z.number().int().optional(),
  gflops: z.number().optional(),
  fractionOfCeiling: z.number().optional(),
  reason: z.string().optional(),
});
export type BenchEntry = z.infer<typeof benchEntrySchema>;

export const benchFileSchema = z.object({
  schema: z.literal('attention-profiler/bench'),
  version: z.literal(1),
  machineClass: z.string(),
  createdAt: z.string(),
  backend: z.string(),
  threads: z.number().int(),
  ceilingGflops: z.number().optional(),
  environment: z.record(z.string(), z.unknown()),
  settings: z.record(z.string(), z.unknown()),
  entries: z.array(benchEntrySchema),
});
export type BenchFile = z.infer<typeof benchFileSchema>;

/** A slower or faster variant, or one that ran before and does not now. */
export interface BenchChange {
  id: string;
  n: number;
  kind: 'slower' | 'faster' | 'no longer runs';
  detail: string;
}

/** Beyond the noise: the ranges (min-max of the timed runs) do not overlap and the medians differ by at least 10%. */
export const NOISE = { minRelativeChange: 0.1 } as const;

/**
 * Each variant and length of `current` against `baseline`. A change counts only when it is beyond
 * the noise of a shared machine: the two runs' min-max ranges are apart and the medians differ by
 * at least 10%.
 */
export function compareBench(baseline: readonly BenchEntry[], current: readonly BenchEntry[]): BenchChange[] {
  const changes: BenchChange[] = [];
  for (const now of current) {
    const before = baseline.find((b) => b.id === now.id && b.n === now.n);
    if (!before || before.medianMs === undefined || before.minMs === undefined || before.maxMs === undefined) continue;
    if (now.medianMs === undefined || now.minMs === undefined || now.maxMs === undefined) {
      changes.push({ id: now.id, n: now.n, kind: 'no longer runs', detail: `${now.status}${now.reason ? `: ${now.reason}` : ''} (baseline ${before.medianMs.toFixed(1)} ms)` });
      continue;
    }
    const ratio = now.medianMs / before.medianMs;
    const detail = `${now.medianMs.toFixed(1)} ms [${now.minMs.toFixed(1)}-${now.maxMs.toFixed(1)}] vs baseline ${before.medianMs.toFixed(1)} ms [${before.minMs.toFixed(1)}-${before.maxMs.toFixed(1)}], x${ratio.toFixed(2)}`;
    if (now.minMs > before.maxMs && ratio >= 1 + NOISE.minRelativeChange) changes.push({ id: now.id, n: now.n, kind: 'slower', detail });
    else if (now.maxMs < before.minMs && ratio <= 1 / (1 + NOISE.minRelativeChange)) changes.push({ id: now.id, n: now.n, kind: 'faster', detail });
  }
  return changes;
}

/** "linux-x64-amd-epyc-2cpu-webasm-1t": the machine class a baseline is kept for. */
export function machineClass(env: { platform: string; arch: string; cpu: string; cpuCount: number }, backend: string, threads: number): string {
  const cpu = env.cpu
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|processor|cpu|@.*$|\d+-core/gu, ' ')
    .trim()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-|-$/gu, '');
  return `${env.platform}-${env.arch}-${cpu || 'cpu'}-${env.cpuCount}cpu-${backend}-${threads}t`;
}
