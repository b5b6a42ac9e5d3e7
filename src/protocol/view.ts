import { z } from 'zod';
import { contentSchema } from '../model/content';
import { EXPORT_FORMATS } from '../model/exports';
import { progressEventSchema, reportSchema } from '../model/report';
import { sweepProgressSchema, sweepReportSchema } from '../model/sweep';
import { TOKENIZERS } from '../model/tokenizers';
import type { SideSpec } from './channel';
import { engineSide } from './engine';

/**
 * The channel between the extension host and its webviews (the side view, a saved run's editor,
 * a comparison). Both sides send one-way events: the view says what the user did, the host
 * sends what the view shows.
 */
export const viewInputSchema = z.object({ text: z.string(), tokenizer: z.enum(TOKENIZERS) });
export type ViewInput = z.infer<typeof viewInputSchema>;

export const runOutcomeSchema = z.enum(['done', 'cancelled', 'failed', 'workerDied']);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

const messageSchema = z.object({ kind: z.enum(['info', 'error']), text: z.string() });
const runningSchema = z.object({ id: z.number().int(), label: z.string() });
const source = z.enum(['run', 'sweep']);
const namedContent = z.object({ name: z.string(), content: contentSchema });

/**
 * What the host tells the view, and what it asks of the view's GPU lane: the view serves the
 * engine's probe, profile and sweep by forwarding them to its lane worker (src/lane).
 */
export const viewSide = {
  methods: {
    probe: engineSide.methods.probe,
    profile: engineSide.methods.profile,
    sweep: engineSide.methods.sweep,
  },
  events: {
    /** Everything the view shows, re-sent when a hidden view is shown again. */
    state: z.object({
      input: viewInputSchema,
      running: runningSchema.nullable(),
      last: reportSchema.nullable(),
      lastSweep: sweepReportSchema.nullable(),
      sweepLengths: z.string(),
      message: messageSchema.nullable(),
    }),
    setInput: viewInputSchema,
    runStarted: runningSchema,
    progress: z.object({ id: z.number().int(), event: progressEventSchema }),
    sweepProgress: z.object({ id: z.number().int(), event: sweepProgressSchema }),
    result: z.object({ id: z.number().int(), report: reportSchema }),
    sweepResult: z.object({ id: z.number().int(), sweep: sweepReportSchema }),
    runEnded: z.object({ id: z.number().int(), outcome: runOutcomeSchema, message: z.string() }),
    notice: messageSchema,
    inputError: z.object({ message: z.string() }),
    tokenCount: z.object({ text: z.string(), tokenizer: z.enum(TOKENIZERS), count: z.number().int().optional(), error: z.string().optional() }),
    /** A saved run or sweep, shown read-only (the editor of a *.attnprof.json file). */
    showSaved: namedContent,
    showComparison: z.object({ a: namedContent, b: namedContent }),
  },
} satisfies SideSpec;

/** What the view tells the host. */
export const hostSide = {
  methods: {},
  events: {
    ready: z.object({}),
    run: z.object({ input: viewInputSchema }),
    sweep: z.object({ input: viewInputSchema, lengths: z.string() }),
    cancel: z.object({}),
    useSelection: z.object({}),
    inputChanged: z.object({ input: viewInputSchema }),
    export: z.object({ format: z.enum(EXPORT_FORMATS), source }),
    exportImages: z.object({
      images: z.array(z.object({ name: z.string().regex(/^[\w.-]+$/u), dataUrl: z.string().startsWith('data:image/png;base64,') })).min(1),
    }),
    save: z.object({ source }),
    /** From a saved run's editor: pick another saved run to compare with. */
    compare: z.object({}),
    /** "Show log" next to an error: show the extension's log (Output: Attention Profiler). */
    showLog: z.object({}),
  },
} satisfies SideSpec;

export type ViewSide = typeof viewSide;
export type HostSide = typeof hostSide;
