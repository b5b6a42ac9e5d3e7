import { crossover, logLogFit } from './fit';
import type { ParamValue } from './params';
import { SWEEP_SCHEMA_ID, SWEEP_VERSION, type SweepPoint, type SweepReport, type SweepVariant } from './report';
import type { VariantId } from './variants/ids';

export const SWEEP_TIMING = { warmups: 1, minRuns: 3, maxRuns: 5 } as const;

/** What a sweep was asked to do, recorded in its report. */
export interface SweepMeta {
  lengths: number[];
  d: number;
  seed: number;
  causal: boolean;
  tokens: string;
  pointBudgetMs: number;
  memoryBudgetBytes: number;
  backend: SweepReport['backend'];
  givenParams: Partial<Record<VariantId, Record<string, ParamValue>>>;
  variants: Array<{ id: VariantId; name: string; family: string }>;
  /** Where the points were measured (the worker's machine and versions). */
  environment: SweepReport['environment'];
  tool: SweepReport['tool'];
}

/**
 * The sweep report from its measured points: log-log fits of time and memory and the crossovers
 * against full. Pure, so that the extension host can also summarise the points a worker streamed
 * before it had to be stopped.
 */
export function summarizeSweep(meta: SweepMeta, measured: ReadonlyMap<VariantId, SweepPoint[]>, cancelled: boolean): SweepReport {
  const fullPoints = measured.get('full');
  const variants: SweepVariant[] = meta.variants.map(({ id, name, family }) => {
    const points = measured.get(id) ?? [];
    return {
    id,
    name,
    family,
    givenParams: { ...(meta.givenParams[id] ?? {}) },
    points,
    fit: {
      ...optional('time', logLogFit(points.map((p) => ({ n: p.n, value: p.time?.medianMs })))),
      ...optional('measuredMemory', logLogFit(points.map((p) => ({ n: p.n, value: p.memory.measuredBytes })))),
      ...optional('predictedMemory', logLogFit(points.map((p) => ({ n: p.n, value: p.memory.predictedBytes + p.memory.weightBytes })))),
    },
    ...(fullPoints && id !== 'full' ? { crossover: crossovers(points, fullPoints) } : {}),
    };
  });
  return {
    schema: SWEEP_SCHEMA_ID,
    version: SWEEP_VERSION,
    createdAt: new Date().toISOString(),
    cancelled,
    tool: meta.tool,
    environment: meta.environment,
    backend: meta.backend,
    settings: {
      lengths: meta.lengths,
      d: meta.d,
      seed: meta.seed,
      causal: meta.causal,
      tokens: meta.tokens,
      warmups: SWEEP_TIMING.warmups,
      minRuns: SWEEP_TIMING.minRuns,
      maxRuns: SWEEP_TIMING.maxRuns,
      pointBudgetMs: meta.pointBudgetMs,
      memoryBudgetBytes: meta.memoryBudgetBytes,
      gateTolerance: 1e-4,
    },
    variants,
  };
}

function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}

function crossovers(points: readonly SweepPoint[], full: readonly SweepPoint[]): NonNullable<SweepVariant['crossover']> {
  const times = (pts: readonly SweepPoint[]) => new Map(pts.filter((p) => p.time).map((p) => [p.n, p.time!.medianMs]));
  // Memory: measured where the point ran; the predicted bytes where a point was over the budget.
  const bytes = (pts: readonly SweepPoint[]) =>
    new Map(pts.filter((p) => p.memory.measuredBytes !== undefined || p.status === 'skipped').map((p) => [p.n, p.memory.measuredBytes ?? p.memory.predictedBytes + p.memory.weightBytes]));
  return {
    faster: crossover(times(points), times(full), { lower: 'faster', quantity: 'median time' }),
    lessMemory: crossover(bytes(points), bytes(full), { lower: 'smaller', quantity: 'peak intermediates; predicted where over the budget' }),
  };
}
