import { z } from 'zod';
import { BACKENDS } from '../model/backends';
import { LIMITS } from '../model/limits';
import { probeSchema } from '../model/probe';
import { progressEventSchema, reportSchema } from '../model/report';
import { runSettingsSchema, sweepSettingsSchema } from '../model/settings';
import { sweepProgressSchema, sweepReportSchema } from '../model/sweep';
import { TOKENIZERS } from '../model/tokenizers';
import { method, type SideSpec } from './channel';

/** Tokens a host made from the user's text or ids (the view's GPU lane has no tokenizer). */
export const tokensSchema = z.array(z.object({ id: z.number().int().min(0).max(LIMITS.maxTokenId), text: z.string() })).max(LIMITS.maxTokens);

/** What to profile: the user's text (or "ids: 1, 2, 3"), or its tokens. */
const inputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('tokens'), tokens: tokensSchema, from: z.enum(['text', 'ids']) }),
]);
export type EngineInput = z.infer<typeof inputSchema>;

const tokenizeRequest = z.object({ text: z.string(), tokenizer: z.enum(TOKENIZERS), maxTokens: z.number().int().min(1).max(LIMITS.maxTokens) });

/**
 * The engine's channel: what a host (the extension host, the view) asks of a side that runs the
 * engine (the worker thread, the view's GPU worker). A run and a sweep are separate requests,
 * each with its own progress; the maps of a run travel inside its report, transferred.
 */
export const engineSide = {
  methods: {
    /** Tries backends of this side (a passing answer is remembered by the side). */
    probe: method({ request: z.object({ backends: z.array(z.enum(BACKENDS)).min(1) }), progress: z.never(), result: z.array(probeSchema) }),
    profile: method({
      request: z.object({ input: inputSchema, settings: runSettingsSchema }),
      progress: progressEventSchema,
      result: reportSchema,
      transfer: (report) => report.variants.flatMap((v) => (v.map ? [v.map.values.buffer] : [])),
    }),
    sweep: method({
      request: z.object({ input: inputSchema.describe("the input's tokens are cycled to each length; empty text for synthetic ids"), settings: sweepSettingsSchema }),
      progress: sweepProgressSchema,
      result: sweepReportSchema,
    }),
    /** The tokens of a text, for a side that has no tokenizer; refused past maxTokens. */
    tokenize: method({ request: tokenizeRequest, progress: z.never(), result: z.object({ tokens: tokensSchema, from: z.enum(['text', 'ids']) }) }),
    countTokens: method({
      request: tokenizeRequest,
      progress: z.never(),
      result: z.object({ count: z.number().int().optional(), error: z.string().optional() }),
    }),
  },
  events: {},
} satisfies SideSpec;

/** The side that asks: it serves nothing. */
export const engineClientSide = { methods: {}, events: {} } satisfies SideSpec;

export type EngineSide = typeof engineSide;
export type EngineClientSide = typeof engineClientSide;
