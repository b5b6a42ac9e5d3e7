import { z } from 'zod';
import { LIMITS } from '../model/limits';
import { progressEventSchema, reportSchema } from '../model/report';
import { runSettingsSchema, sweepSettingsSchema } from '../model/settings';
import { sweepProgressSchema, sweepReportSchema } from '../model/sweep';
import { TOKENIZERS } from '../model/tokenizers';
import { method, type SideSpec } from './channel';

/**
 * The engine's channel: what a host (the extension host, the view) asks of a side that runs the
 * engine (the worker thread, the view's GPU worker). A run and a sweep are separate requests,
 * each with its own progress; the maps of a run travel inside its report, transferred.
 */
export const engineSide = {
  methods: {
    profile: method({
      request: z.object({ text: z.string().describe('text, or "ids: 1, 2, 3"'), settings: runSettingsSchema }),
      progress: progressEventSchema,
      result: reportSchema,
      transfer: (report) => report.variants.flatMap((v) => (v.map ? [v.map.values.buffer] : [])),
    }),
    sweep: method({
      request: z.object({ text: z.string().describe("the input's tokens are cycled to each length; empty for synthetic ids"), settings: sweepSettingsSchema }),
      progress: sweepProgressSchema,
      result: sweepReportSchema,
    }),
    countTokens: method({
      request: z.object({ text: z.string(), tokenizer: z.enum(TOKENIZERS), maxTokens: z.number().int().min(1).max(LIMITS.maxTokens) }),
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
