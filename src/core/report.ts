import { z } from 'zod';

/**
 * The versioned report of a profile run: what the CLI writes with --json, what the worker sends
 * to the view, and what exports and saved runs contain. The schema below is the single source:
 * the TypeScript type is inferred from it and docs/report.schema.json is generated from it.
 * Units are in the names (Ms, Bytes); "predicted" numbers come from the cost model, "measured"
 * ones from the run.
 */
export const REPORT_SCHEMA_ID = 'attention-profiler/report';
export const REPORT_VERSION = 1;

const paramValue = z.union([z.number(), z.string(), z.boolean()]);

export const probeSchema = z.object({
  backend: z.enum(['webgpu', 'headlessgl', 'webasm', 'cpu']),
  ok: z.boolean(),
  reason: z.string(),
  device: z.string().optional(),
});

export const timingSchema = z.object({
  firstCallMs: z.number().describe('first call: kernel compilation plus one run, reported apart'),
  medianMs: z.number(),
  minMs: z.number(),
  maxMs: z.number(),
  runs: z.number().int().describe('timed runs (after the warm-ups), alternating two input sets'),
  warmups: z.number().int(),
  samplesMs: z.array(z.number()),
});

export const memorySchema = z.object({
  predictedBytes: z.number().describe('peak bytes of intermediates from the cost model'),
  measuredBytes: z.number().optional().describe('peak bytes of the intermediate arrays the kernels returned, while held'),
  weightBytes: z.number().describe('seeded weights the variant adds to Q, K, V (AFT w, Transformer-XL u, v, W_r)'),
  processDeltaBytes: z.number().optional().describe('secondary: growth of the process array-buffer memory during the timed runs'),
});

export const checkSchema = z
  .object({ rows: z.number().int(), relError: z.number(), tolerance: z.number(), passed: z.boolean() })
  .describe('correctness gate: kernel output against the float64 reference, before timing');

export const mapSchema = z.object({
  kind: z.enum(['mask', 'weights']),
  rows: z.number().int(),
  cols: z.number().int(),
  sourceRows: z.number().int(),
  sourceCols: z.number().int(),
  rowQuery: z.array(z.number().int()),
  values: z.array(z.number()).describe('row-major rows x cols'),
});

export const variantResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  status: z.enum(['ok', 'failed', 'skipped', 'cancelled']),
  reason: z.string().optional().describe('why the variant failed or was skipped'),
  params: z.record(z.string(), paramValue),
  directionNote: z.string().optional(),
  maskType: z.enum(['mask', 'slot_mask', 'effective_support']),
  attribution: z.string(),
  backend: z.object({
    selected: z.string(),
    kernels: z.record(z.string(), z.number()).describe('kernels per backend they really ran on'),
    fallbacks: z.array(z.object({ kernel: z.string(), ranOn: z.string(), reason: z.string() })),
    warnings: z.array(z.string()),
  }),
  time: timingSchema.optional(),
  memory: memorySchema,
  predictedFlops: z.number(),
  nnz: z.number().describe('pairs (query, key) with non-zero weight: mask entries or effective support'),
  density: z.number().describe('nnz / N^2'),
  check: checkSchema.optional(),
  errorVsFull: z
    .object({
      relFrobenius: z.number().describe('||O - O_full||_F / ||O_full||_F on the rows below, O_full exact (float64)'),
      rows: z.number().int(),
      meanKl: z.number().optional().describe('mean over rows of KL(a_variant || a_full) of the attention rows'),
    })
    .optional(),
  map: mapSchema.optional(),
});

export const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  version: z.literal(REPORT_VERSION),
  createdAt: z.string(),
  cancelled: z.boolean().describe('the run was cancelled; variants not reached are marked cancelled'),
  tool: z.object({ name: z.string(), version: z.string() }),
  environment: z.object({
    node: z.string(),
    gpujs: z.string(),
    platform: z.string(),
    arch: z.string(),
    cpu: z.string(),
    cpuCount: z.number().int(),
  }),
  backend: z.object({
    requested: z.string(),
    selected: z.string(),
    device: z.string(),
    threads: z.number().int(),
    probes: z.array(probeSchema),
  }),
  input: z.object({
    kind: z.enum(['text', 'ids', 'qkv']),
    source: z.string().describe('"text", a file path, "ids" or the Q/K/V folder'),
    tokenizer: z.string().optional(),
    n: z.number().int(),
    d: z.number().int(),
    seed: z.number().int(),
    causal: z.boolean(),
    qkv: z.enum(['synthetic', 'npy']),
    tokens: z.array(z.object({ id: z.number().int(), text: z.string() })).optional(),
  }),
  settings: z.object({
    repeats: z.number().int().describe('minimum timed runs per variant'),
    warmups: z.number().int(),
    timeBudgetMs: z.number().describe('timed runs continue past the minimum while within this budget per variant'),
    memoryBudgetBytes: z.number(),
    gateTolerance: z.number(),
    checkedRows: z.number().int().describe('rows compared in the correctness gate and the error against full'),
  }),
  variants: z.array(variantResultSchema),
});

export type ProfileReport = z.infer<typeof reportSchema>;
export type VariantResult = z.infer<typeof variantResultSchema>;

/** JSON Schema of the report (draft 2020-12), written to docs/report.schema.json by npm run schema. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema);
}

// ---- sweeps ------------------------------------------------------------------------------

export const SWEEP_SCHEMA_ID = 'attention-profiler/sweep';
export const SWEEP_VERSION = 1;

export const sweepPointSchema = z.object({
  n: z.number().int(),
  status: z.enum(['ok', 'failed', 'skipped', 'cancelled']),
  reason: z.string().optional(),
  params: z.record(z.string(), paramValue).describe('parameters at this length (those marked (N) follow N)'),
  time: timingSchema
    .extend({ reducedRuns: z.boolean().describe('fewer than the usual 5 timed runs (and no warm-up when the first call alone exceeded the point budget) because the point was slow') })
    .optional(),
  memory: memorySchema,
  predictedFlops: z.number(),
  check: checkSchema.optional(),
});

export const fitSchema = z.object({
  slope: z.number().describe('least-squares slope of ln(value) against ln(N)'),
  intercept: z.number(),
  r2: z.number(),
  points: z.array(z.number().int()).describe('the lengths used'),
});

export const crossoverSchema = z.object({
  kind: z.enum(['between', 'from-start', 'not-in-range', 'unknown']),
  n: z.number().optional().describe('the crossover length (interpolated on the log-log line between two measured lengths), or the first length'),
  detail: z.string(),
});

export const sweepVariantSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  givenParams: z.record(z.string(), paramValue),
  points: z.array(sweepPointSchema),
  fit: z.object({
    time: fitSchema.optional(),
    measuredMemory: fitSchema.optional(),
    predictedMemory: fitSchema.optional(),
  }),
  crossover: z.object({ faster: crossoverSchema, lessMemory: crossoverSchema }).optional().describe('against full, on this machine and backend'),
});

export const sweepReportSchema = z.object({
  schema: z.literal(SWEEP_SCHEMA_ID),
  version: z.literal(SWEEP_VERSION),
  createdAt: z.string(),
  cancelled: z.boolean(),
  tool: z.object({ name: z.string(), version: z.string() }),
  environment: reportSchema.shape.environment,
  backend: reportSchema.shape.backend,
  settings: z.object({
    lengths: z.array(z.number().int()),
    d: z.number().int(),
    seed: z.number().int(),
    causal: z.boolean(),
    tokens: z.string().describe('where the tokens come from: synthetic ids, or the input cycled to each length'),
    warmups: z.number().int(),
    minRuns: z.number().int(),
    maxRuns: z.number().int(),
    pointBudgetMs: z.number(),
    memoryBudgetBytes: z.number(),
    gateTolerance: z.number(),
  }),
  variants: z.array(sweepVariantSchema),
});

export type SweepReport = z.infer<typeof sweepReportSchema>;
export type SweepVariant = z.infer<typeof sweepVariantSchema>;
export type SweepPoint = z.infer<typeof sweepPointSchema>;
export type Fit = z.infer<typeof fitSchema>;
export type Crossover = z.infer<typeof crossoverSchema>;

/** JSON Schema of the sweep report, written to docs/sweep.schema.json by npm run schema. */
export function sweepJsonSchema(): unknown {
  return z.toJSONSchema(sweepReportSchema);
}

/** What an export holds: a run (its maps inside, when it has them) or a sweep. */
export type ReportContent = { kind: 'run'; report: ProfileReport } | { kind: 'sweep'; sweep: SweepReport };
