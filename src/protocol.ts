import { z } from 'zod';
import { BACKENDS } from './core/backends-list';
import { mapSchema, probeSchema, reportSchema, sweepPointSchema, sweepReportSchema } from './core/report';
import { TOKENIZERS } from './core/tokenizer-names';
import { VARIANT_IDS } from './core/variants/ids';

/**
 * Every message between the extension host, the profiling worker and the webview: one schema per
 * case in a discriminated union per direction, validated where it arrives (`parse*` below), so a
 * malformed message is refused with a reason instead of breaking a panel.
 */

const paramValue = z.union([z.number(), z.string(), z.boolean()]);

/** What a run needs besides the text: VS Code settings, resolved and checked by the host. */
export const runSettingsSchema = z.object({
  backend: z.enum(['auto', ...BACKENDS]),
  d: z.number().int().min(1).max(512),
  seed: z.number().int().min(0),
  causal: z.boolean(),
  tokenizer: z.enum(TOKENIZERS),
  maxTokens: z.number().int().min(1).max(65536),
  timeBudgetMs: z.number().min(0),
  memoryBudgetBytes: z.number().positive(),
  variants: z.array(z.enum(VARIANT_IDS)).min(1),
  params: z.record(z.string(), z.record(z.string(), paramValue)),
  mapSize: z.number().int().min(0).max(512),
  threads: z.number().int().min(1).max(256),
});
export type RunSettings = z.infer<typeof runSettingsSchema>;

export const progressEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), variants: z.array(z.string()), n: z.number().int(), backend: z.string() }),
  z.object({
    kind: z.literal('variant'),
    id: z.string(),
    index: z.number().int(),
    total: z.number().int(),
    phase: z.enum(['compiling', 'checked', 'timing', 'done']),
    run: z.number().int().optional(),
    status: z.string().optional(),
  }),
]);
export type ProgressMessage = z.infer<typeof progressEventSchema>;

/** A variant's map as it crosses threads: the values in a Float32Array (transferred, not copied). */
export const wireMapSchema = mapSchema.extend({ id: z.string(), values: z.instanceof(Float32Array) });
export type WireMap = z.infer<typeof wireMapSchema>;

export const runResultSchema = z.object({ report: reportSchema, maps: z.array(wireMapSchema) });
export type RunResult = z.infer<typeof runResultSchema>;

/** A saved run or sweep (*.attnprof.json): the versioned report, maps inside for runs. */
export const savedContentSchema = z.union([reportSchema, sweepReportSchema]);
export type SavedContent = z.infer<typeof savedContentSchema>;

/** What a sweep was asked to do (its first progress event), enough to summarise streamed points. */
export const sweepMetaSchema = z.object({
  lengths: z.array(z.number().int()),
  d: z.number().int(),
  seed: z.number().int(),
  causal: z.boolean(),
  tokens: z.string(),
  pointBudgetMs: z.number(),
  memoryBudgetBytes: z.number(),
  backend: z.object({ requested: z.string(), selected: z.string(), device: z.string(), threads: z.number().int(), probes: z.array(probeSchema) }),
  givenParams: z.record(z.string(), z.record(z.string(), paramValue)),
  variants: z.array(z.object({ id: z.enum(VARIANT_IDS), name: z.string(), family: z.string() })),
  environment: reportSchema.shape.environment,
  tool: reportSchema.shape.tool,
});

export const sweepProgressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), meta: sweepMetaSchema }),
  z.object({
    kind: z.literal('point'),
    id: z.enum(VARIANT_IDS),
    n: z.number().int(),
    point: z.number().int(),
    total: z.number().int(),
    phase: z.enum(['compiling', 'checked', 'timing', 'done']),
    run: z.number().int().optional(),
    status: z.string().optional(),
  }),
]);
export type SweepProgressMessage = z.infer<typeof sweepProgressSchema>;

// ---- host -> worker ----------------------------------------------------------------------

export const toWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), runId: z.number().int(), text: z.string(), settings: runSettingsSchema }),
  z.object({ type: z.literal('countTokens'), requestId: z.number().int(), text: z.string(), tokenizer: z.enum(TOKENIZERS), maxTokens: z.number().int() }),
  z.object({
    type: z.literal('sweep'),
    runId: z.number().int(),
    /** Tokens cycled to each length; empty for synthetic ids. */
    text: z.string(),
    settings: runSettingsSchema,
    lengths: z.array(z.number().int().min(1).max(65536)).min(1),
    pointBudgetMs: z.number().min(0),
  }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

// ---- worker -> host ----------------------------------------------------------------------

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), runId: z.number().int(), event: progressEventSchema }),
  z.object({ type: z.literal('result'), runId: z.number().int(), result: runResultSchema }),
  z.object({ type: z.literal('runError'), runId: z.number().int(), message: z.string(), userError: z.boolean() }),
  z.object({ type: z.literal('tokenCount'), requestId: z.number().int(), count: z.number().int().optional(), error: z.string().optional() }),
  z.object({ type: z.literal('protocolError'), message: z.string() }),
  z.object({ type: z.literal('sweepProgress'), runId: z.number().int(), event: sweepProgressSchema }),
  z.object({ type: z.literal('sweepPoint'), runId: z.number().int(), id: z.enum(VARIANT_IDS), point: sweepPointSchema }),
  z.object({ type: z.literal('sweepResult'), runId: z.number().int(), sweep: sweepReportSchema }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;

// ---- host -> view ------------------------------------------------------------------------

export const inputSchema = z.object({ text: z.string(), tokenizer: z.enum(TOKENIZERS) });
export type ViewInput = z.infer<typeof inputSchema>;

export const runOutcomeSchema = z.enum(['done', 'cancelled', 'failed', 'workerDied']);

export const toViewSchema = z.discriminatedUnion('type', [
  /** Everything the view shows, re-sent when a hidden view is shown again. */
  z.object({
    type: z.literal('state'),
    input: inputSchema,
    running: z.object({ runId: z.number().int(), label: z.string() }).nullable(),
    last: runResultSchema.nullable(),
    lastSweep: sweepReportSchema.nullable(),
    sweepLengths: z.string(),
    message: z.object({ kind: z.enum(['info', 'error']), text: z.string() }).nullable(),
  }),
  z.object({ type: z.literal('sweepProgress'), runId: z.number().int(), event: sweepProgressSchema }),
  z.object({ type: z.literal('sweepResult'), runId: z.number().int(), sweep: sweepReportSchema }),
  z.object({ type: z.literal('notice'), kind: z.enum(['info', 'error']), message: z.string() }),
  /** A saved run or sweep, shown read-only (the editor of a *.attnprof.json file). */
  z.object({ type: z.literal('showSaved'), name: z.string(), content: savedContentSchema }),
  z.object({
    type: z.literal('showComparison'),
    a: z.object({ name: z.string(), content: savedContentSchema }),
    b: z.object({ name: z.string(), content: savedContentSchema }),
  }),
  z.object({ type: z.literal('setInput'), input: inputSchema }),
  z.object({ type: z.literal('runStarted'), runId: z.number().int(), label: z.string() }),
  z.object({ type: z.literal('progress'), runId: z.number().int(), event: progressEventSchema }),
  z.object({ type: z.literal('result'), runId: z.number().int(), result: runResultSchema }),
  z.object({ type: z.literal('runEnded'), runId: z.number().int(), outcome: runOutcomeSchema, message: z.string() }),
  z.object({ type: z.literal('inputError'), message: z.string() }),
  z.object({ type: z.literal('tokenCount'), text: z.string(), tokenizer: z.enum(TOKENIZERS), count: z.number().int().optional(), error: z.string().optional() }),
]);
export type ToView = z.infer<typeof toViewSchema>;

// ---- view -> host ------------------------------------------------------------------------

export const fromViewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('run'), input: inputSchema }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('useSelection') }),
  z.object({ type: z.literal('inputChanged'), input: inputSchema }),
  z.object({ type: z.literal('sweep'), input: inputSchema, lengths: z.string() }),
  z.object({ type: z.literal('export'), format: z.enum(['json', 'csv', 'html']), source: z.enum(['run', 'sweep']) }),
  z.object({
    type: z.literal('exportImages'),
    images: z.array(z.object({ name: z.string().regex(/^[\w.-]+$/u), dataUrl: z.string().startsWith('data:image/png;base64,') })).min(1),
  }),
  z.object({ type: z.literal('save'), source: z.enum(['run', 'sweep']) }),
  /** From a saved run's editor: pick another saved run to compare with. */
  z.object({ type: z.literal('compare') }),
]);
export type FromView = z.infer<typeof fromViewSchema>;

/** Validates a message; the error names the first problem ("type: invalid input", ...). */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; message: T } | { ok: false; error: string } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'malformed message' };
}
