import { z } from 'zod';
import { BACKEND_CHOICES, BACKENDS } from './backends';
import { LIMITS, MIB } from './limits';
import { probeSchema } from './probe';
import { TOKENIZERS } from './tokenizers';
import { VARIANT_IDS } from './variant-ids';

export const paramValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** Parameters the user gave, per variant (the others take their defaults). */
export const givenParamsSchema = z.partialRecord(z.enum(VARIANT_IDS), z.record(z.string(), paramValueSchema));
export type GivenParams = z.infer<typeof givenParamsSchema>;

/** What a run and a sweep share: which variants, where, on what shape of Q, K, V. */
const measureFields = {
  backend: z.enum(BACKEND_CHOICES),
  d: z.number().int().min(LIMITS.minD).max(LIMITS.maxD),
  seed: z.number().int().min(0).max(LIMITS.maxSeed),
  causal: z.boolean(),
  variants: z.array(z.enum(VARIANT_IDS)).min(1),
  params: givenParamsSchema,
  tokenizer: z.enum(TOKENIZERS),
  memoryBudgetBytes: z
    .number()
    .positive()
    .max(LIMITS.maxMemoryBudgetMiB * MIB),
  /** webasm threads (gpu.js worker pool); 1 runs the kernels on the calling thread. */
  threads: z.number().int().min(1).max(LIMITS.maxThreads),
  /**
   * How `auto` chooses in this lane, when a host has already probed other lanes (VS Code): the
   * backends it may try, in order, and the other lanes' probes, recorded in the report. Absent:
   * this host's own backends, in their order.
   */
  auto: z.object({ order: z.array(z.enum(BACKENDS)).min(1), known: z.array(probeSchema) }).optional(),
};

/** Everything a profile run needs besides its input. */
export const runSettingsSchema = z.object({
  ...measureFields,
  maxTokens: z.number().int().min(1).max(LIMITS.maxTokens),
  repeats: z.number().int().min(LIMITS.minRepeats).max(LIMITS.maxRepeats),
  warmups: z.number().int().min(0),
  timeBudgetMs: z.number().min(0).max(LIMITS.maxBudgetMs),
  /** Largest map side in the report; 0 leaves maps out. */
  mapSize: z.number().int().min(0).max(LIMITS.maxMapSize),
  /** Rows compared against the float64 references (all rows up to this many). */
  checkRowLimit: z.number().int().min(1),
  gateTolerance: z.number().positive(),
  /** Measure the backend's ceiling again instead of reading the cached one. */
  recalibrate: z.boolean().optional(),
});
export type RunSettings = z.infer<typeof runSettingsSchema>;

/** Everything a sweep needs besides its tokens. */
export const sweepSettingsSchema = z.object({
  ...measureFields,
  lengths: z.array(z.number().int().min(1).max(LIMITS.maxTokens)).min(1),
  /** A point past this many ms stops at the minimum of 3 timed runs. */
  pointBudgetMs: z.number().min(0).max(LIMITS.maxBudgetMs),
  gateTolerance: z.number().positive(),
});
export type SweepSettings = z.infer<typeof sweepSettingsSchema>;
