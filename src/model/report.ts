import { z } from 'zod';
import { BACKEND_CHOICES, BACKENDS } from './backends';
import { ceilingSchema, efficiencySchema } from './efficiency';
import { probeSchema } from './probe';
import { loadMap, mapSchema, storeMap, storedMapSchema } from './maps';
import { paramValueSchema } from './settings';
import { VARIANT_IDS } from './variant-ids';
import { phaseMsSchema, wallTimeSchema } from './wall-time';

/**
 * The versioned report of a profile run: what the CLI writes with --json, what the worker sends
 * to the view, and what exports and saved runs contain. The schemas below are the single source:
 * the TypeScript types are inferred from them and docs/report.schema.json is generated from them.
 * Units are in the names (Ms, Bytes); "predicted" numbers come from the cost model, "measured"
 * ones from the run.
 */
export const REPORT_SCHEMA_ID = 'attention-profiler/report';
export const REPORT_VERSION = 1;

/** Which backend ran, why, and the outcome of every probe made to choose it. */
export const backendSelectionSchema = z.object({
  requested: z.enum(BACKEND_CHOICES),
  selected: z.enum(BACKENDS),
  lane: z.enum(['worker', 'view']).describe('worker: the worker thread or the CLI (Node); view: a Web Worker of the VS Code view (its Chromium)'),
  device: z.string(),
  threads: z.number().int(),
  probes: z.array(probeSchema),
});
export type BackendSelection = z.infer<typeof backendSelectionSchema>;

export const environmentSchema = z.object({
  node: z.string(),
  gpujs: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpu: z.string(),
  cpuCount: z.number().int(),
});
export type Environment = z.infer<typeof environmentSchema>;

export const toolSchema = z.object({ name: z.string(), version: z.string() });

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

export const STATUSES = ['ok', 'failed', 'skipped', 'cancelled'] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

export const MASK_TYPES = ['mask', 'slot_mask', 'effective_support'] as const;

const variantResultFields = {
  /** A string, not the id enum: saved runs from other versions, with other variants, still open. */
  id: z.string(),
  name: z.string(),
  family: z.string(),
  status: statusSchema,
  reason: z.string().optional().describe('why the variant failed or was skipped'),
  params: z.record(z.string(), paramValueSchema),
  directionNote: z.string().optional(),
  maskType: z.enum(MASK_TYPES),
  attribution: z.string(),
  backend: z.object({
    selected: z.string(),
    kernels: z.record(z.string(), z.number()).describe('kernels per backend they really ran on'),
    fallbacks: z.array(z.object({ kernel: z.string(), ranOn: z.string(), reason: z.string() })),
    warnings: z.array(z.string()),
  }),
  time: timingSchema.optional(),
  efficiency: efficiencySchema.optional(),
  wallMs: phaseMsSchema.optional().describe("this variant's share of the run's wall time, per phase"),
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
};

const reportFields = {
  schema: z.literal(REPORT_SCHEMA_ID),
  version: z.literal(REPORT_VERSION),
  createdAt: z.string(),
  cancelled: z.boolean().describe('the run was cancelled; variants not reached are marked cancelled'),
  tool: toolSchema,
  environment: environmentSchema,
  backend: backendSelectionSchema,
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
    warmups: z.number().int().describe('most warm-up runs per variant: one, more while they stay under a quarter of the time budget'),
    timeBudgetMs: z.number().describe('timed runs continue past the minimum while within this budget per variant'),
    memoryBudgetBytes: z.number(),
    gateTolerance: z.number(),
    checkedRows: z.number().int().describe('rows compared in the correctness gate and the error against full'),
  }),
  ceiling: ceilingSchema.optional().describe("the backend's calibration ceiling on this machine, for each variant's fraction of it"),
  ceilingNote: z.string().optional().describe('why the run has no ceiling, or why it was not cached'),
  wallTime: wallTimeSchema.optional(),
};

/** A variant's result, in memory and on the wire: its map (when asked for) holds a Float32Array. */
export const variantResultSchema = z.object({ ...variantResultFields, map: mapSchema.optional() });
export type VariantResult = z.infer<typeof variantResultSchema>;

export const reportSchema = z.object({ ...reportFields, variants: z.array(variantResultSchema) });
export type ProfileReport = z.infer<typeof reportSchema>;

/** The same report in a JSON file: maps hold plain numbers. `storeReport` and `loadReport` convert. */
export const storedReportSchema = z.object({
  ...reportFields,
  variants: z.array(z.object({ ...variantResultFields, map: storedMapSchema.optional() })),
});
export type StoredReport = z.infer<typeof storedReportSchema>;

export function storeReport(report: ProfileReport): StoredReport {
  return { ...report, variants: report.variants.map(({ map, ...v }) => (map ? { ...v, map: storeMap(map) } : v)) };
}

export function loadReport(stored: StoredReport): ProfileReport {
  return { ...stored, variants: stored.variants.map(({ map, ...v }) => (map ? { ...v, map: loadMap(map) } : v)) };
}

/** Progress of a run, one event per phase of each variant. */
export const PHASES = ['compiling', 'checked', 'timing', 'done'] as const;
export type Phase = (typeof PHASES)[number];

export const progressEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), variants: z.array(z.enum(VARIANT_IDS)), n: z.number().int(), backend: z.string() }),
  z.object({
    kind: z.literal('variant'),
    id: z.enum(VARIANT_IDS),
    index: z.number().int(),
    total: z.number().int(),
    phase: z.enum(PHASES),
    run: z.number().int().optional(),
    status: statusSchema.optional(),
  }),
]);
export type ProgressEvent = z.infer<typeof progressEventSchema>;
