import { z } from 'zod';
import { inputError } from './errors';
import { crossover, crossoverSchema, fitSchema, logLogFit } from './fit';
import { LIMITS, SWEEP_TIMING } from './limits';
import { backendSelectionSchema, checkSchema, environmentSchema, memorySchema, PHASES, statusSchema, timingSchema, toolSchema } from './report';
import { givenParamsSchema, paramValueSchema } from './settings';
import { VARIANT_IDS, type VariantId } from './variant-ids';

export const SWEEP_SCHEMA_ID = 'attention-profiler/sweep';
export const SWEEP_VERSION = 1;

export const sweepPointSchema = z.object({
  n: z.number().int(),
  status: statusSchema,
  reason: z.string().optional(),
  params: z.record(z.string(), paramValueSchema).describe('parameters at this length (those marked (N) follow N)'),
  time: timingSchema
    .extend({
      reducedRuns: z.boolean().describe('fewer than the usual 5 timed runs (and no warm-up when the first call alone exceeded the point budget) because the point was slow'),
    })
    .optional(),
  memory: memorySchema,
  predictedFlops: z.number(),
  check: checkSchema.optional(),
});
export type SweepPoint = z.infer<typeof sweepPointSchema>;

export const sweepVariantSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  givenParams: z.record(z.string(), paramValueSchema),
  points: z.array(sweepPointSchema),
  fit: z.object({
    time: fitSchema.optional(),
    measuredMemory: fitSchema.optional(),
    predictedMemory: fitSchema.optional(),
  }),
  crossover: z.object({ faster: crossoverSchema, lessMemory: crossoverSchema }).optional().describe('against full, on this machine and backend'),
});
export type SweepVariant = z.infer<typeof sweepVariantSchema>;

export const sweepReportSchema = z.object({
  schema: z.literal(SWEEP_SCHEMA_ID),
  version: z.literal(SWEEP_VERSION),
  createdAt: z.string(),
  cancelled: z.boolean(),
  tool: toolSchema,
  environment: environmentSchema,
  backend: backendSelectionSchema,
  settings: z.object({
    lengths: z.array(z.number().int()),
    d: z.number().int(),
    seed: z.number().int(),
    causal: z.boolean(),
    tokens: z.string().describe('where the tokens come from: synthetic ids, or the input cycled to each length'),
    warmups: z.number().int(),
    minRuns: z.number().int(),
    maxRuns: z.number().int(),
    rounds: z.number().int().optional().describe('rounds of timed runs per point (the second over the lengths in reverse order); absent in files from before rounds: 1'),
    pointBudgetMs: z.number(),
    memoryBudgetBytes: z.number(),
    gateTolerance: z.number(),
  }),
  variants: z.array(sweepVariantSchema),
});
export type SweepReport = z.infer<typeof sweepReportSchema>;

/** What a sweep was asked to do, sent as its first progress event: enough to summarise streamed points. */
export const sweepMetaSchema = z.object({
  lengths: z.array(z.number().int()),
  d: z.number().int(),
  seed: z.number().int(),
  causal: z.boolean(),
  tokens: z.string(),
  pointBudgetMs: z.number(),
  memoryBudgetBytes: z.number(),
  gateTolerance: z.number(),
  backend: backendSelectionSchema,
  givenParams: givenParamsSchema,
  variants: z.array(z.object({ id: z.enum(VARIANT_IDS), name: z.string(), family: z.string() })),
  /** Where the points were measured (the worker's machine and versions). */
  environment: environmentSchema,
  tool: toolSchema,
});
export type SweepMeta = z.infer<typeof sweepMetaSchema>;

export const sweepProgressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), meta: sweepMetaSchema }),
  z.object({
    kind: z.literal('point'),
    id: z.enum(VARIANT_IDS),
    n: z.number().int(),
    point: z.number().int(),
    total: z.number().int(),
    phase: z.enum(PHASES),
    run: z.number().int().optional(),
    status: statusSchema.optional(),
  }),
  /** A measured point, streamed so that a stopped sweep keeps it. */
  z.object({ kind: z.literal('measured'), id: z.enum(VARIANT_IDS), point: sweepPointSchema }),
]);
export type SweepProgress = z.infer<typeof sweepProgressSchema>;

/** "256, 512 1024": lengths separated by commas or spaces, each 1..maxTokens; sorted, without repeats. */
export function parseLengths(text: string): number[] {
  const parts = text.split(/[\s,]+/u).filter((p) => p.length > 0);
  if (parts.length === 0) throw inputError('the list of lengths is empty');
  const lengths = parts.map((p) => {
    if (!/^\d+$/u.test(p)) throw inputError(`length "${p}" is not a positive integer`);
    const n = Number(p);
    if (n < 1 || n > LIMITS.maxTokens) throw inputError(`length ${n} is out of range: 1 <= N <= ${LIMITS.maxTokens}`);
    return n;
  });
  return [...new Set(lengths)].sort((a, b) => a - b);
}

/**
 * The sweep report from its measured points: log-log fits of time and memory and the crossovers
 * against full. Pure, so that the extension host can also summarise the points a worker streamed
 * before it had to be stopped.
 */
export function summarizeSweep(meta: SweepMeta, measured: ReadonlyMap<VariantId, readonly SweepPoint[]>, cancelled: boolean): SweepReport {
  const fullPoints = measured.get('full');
  const variants: SweepVariant[] = meta.variants.map(({ id, name, family }) => {
    const points = [...(measured.get(id) ?? [])];
    return {
      id,
      name,
      family,
      givenParams: { ...(meta.givenParams[id] ?? {}) },
      points,
      fit: fitsOf(points),
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
      rounds: SWEEP_TIMING.rounds,
      pointBudgetMs: meta.pointBudgetMs,
      memoryBudgetBytes: meta.memoryBudgetBytes,
      gateTolerance: meta.gateTolerance,
    },
    variants,
  };
}

/**
 * Log-log fits of time, measured memory and predicted memory, each where two points have it. Time is
 * each point's fastest timed run over both rounds: the run least disturbed by other work on the
 * machine, which is what makes two sweeps agree on the slope.
 */
function fitsOf(points: readonly SweepPoint[]): SweepVariant['fit'] {
  const time = logLogFit(points.map((p) => ({ n: p.n, value: p.time?.minMs })));
  const measuredMemory = logLogFit(points.map((p) => ({ n: p.n, value: p.memory.measuredBytes })));
  const predictedMemory = logLogFit(points.map((p) => ({ n: p.n, value: p.memory.predictedBytes + p.memory.weightBytes })));
  return { ...(time ? { time } : {}), ...(measuredMemory ? { measuredMemory } : {}), ...(predictedMemory ? { predictedMemory } : {}) };
}

function crossovers(points: readonly SweepPoint[], full: readonly SweepPoint[]): NonNullable<SweepVariant['crossover']> {
  const times = (pts: readonly SweepPoint[]) => new Map(pts.flatMap((p) => (p.time ? [[p.n, p.time.minMs] as const] : [])));
  // Memory: measured where the point ran; the predicted bytes where a point was over the budget.
  const bytes = (pts: readonly SweepPoint[]) =>
    new Map(
      pts.flatMap((p) =>
        p.memory.measuredBytes !== undefined || p.status === 'skipped' ? [[p.n, p.memory.measuredBytes ?? p.memory.predictedBytes + p.memory.weightBytes] as const] : [],
      ),
    );
  return {
    faster: crossover(times(points), times(full), { lower: 'faster', quantity: 'fastest timed run' }),
    lessMemory: crossover(bytes(points), bytes(full), { lower: 'smaller', quantity: 'peak intermediates; predicted where over the budget' }),
  };
}
