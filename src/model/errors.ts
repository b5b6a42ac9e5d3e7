import { z } from 'zod';

/**
 * The settings a user can get wrong. Each front end names them its own way: the CLI as flags
 * (`--max-tokens`), the extension as settings (`attentionProfiler.maxTokens`).
 */
export const SETTING_NAMES = [
  'backend',
  'd',
  'seed',
  'repeats',
  'threads',
  'maxTokens',
  'mapSize',
  'timeBudgetMs',
  'memoryBudgetMiB',
  'pointBudgetMs',
  'lengths',
  'n',
  'variants',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/**
 * What went wrong, as data: a code and the fields a message needs. The engine throws these; the
 * CLI and the extension word them for their users (`describeError` with their own `Wording`).
 */
export const errorDetailSchema = z.discriminatedUnion('code', [
  /** A problem whose wording is the same everywhere (a bad token id, an unreadable .npy file, a parameter out of range). */
  z.object({ code: z.literal('input'), message: z.string() }),
  z.object({ code: z.literal('setting-range'), setting: z.enum(SETTING_NAMES), value: z.number(), min: z.number(), max: z.number() }),
  z.object({ code: z.literal('too-many-tokens'), count: z.number().int(), limit: z.number().int(), hardLimit: z.number().int() }),
  z.object({ code: z.literal('backend-unavailable'), backend: z.string(), reason: z.string() }),
  z.object({ code: z.literal('no-backend') }),
  z.object({ code: z.literal('params-for-unselected'), variant: z.string() }),
  /** A bug or an environment failure: shown with its message, never as the user's fault. */
  z.object({ code: z.literal('internal'), message: z.string() }),
  /** The call was cancelled and its side had to be stopped (a kernel ran on past the grace period). */
  z.object({ code: z.literal('cancelled'), message: z.string() }),
  /** The side running the call died or went away (out of memory, a crash, the view closed). */
  z.object({ code: z.literal('stopped'), message: z.string() }),
]);
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** How a front end refers to a setting. */
export interface Wording {
  /** "--max-tokens" or "the attentionProfiler.maxTokens setting". */
  setting(name: SettingName): string;
}

/** Neutral wording, for logs and for messages no front end has worded yet. */
export const NEUTRAL_WORDING: Wording = { setting: (name) => name };

export function describeError(detail: ErrorDetail, wording: Wording): string {
  switch (detail.code) {
    case 'input':
    case 'internal':
    case 'cancelled':
    case 'stopped':
      return detail.message;
    case 'setting-range':
      return `${wording.setting(detail.setting)} ${detail.value} is out of range: ${detail.min} <= ${detail.setting} <= ${detail.max}`;
    case 'too-many-tokens': {
      // Counting stops one token past the limit, so the count is a lower bound: "more than".
      const raise = detail.limit < detail.hardLimit ? `raise it with ${wording.setting('maxTokens')}, up to ${detail.hardLimit}` : 'the most this tool accepts';
      return `the input has more than ${detail.limit} tokens, the limit (${raise})`;
    }
    case 'backend-unavailable':
      return `backend ${detail.backend} cannot run here: ${detail.reason}`;
    case 'no-backend':
      return 'no backend could run a test kernel; see the probes';
    case 'params-for-unselected':
      return `parameters were given for ${detail.variant}, which is not among the variants to run`;
  }
}

/** An error caused by what the user asked for, or by the environment; front ends word it with `describeError`. */
export class EngineError extends Error {
  constructor(readonly detail: ErrorDetail) {
    super(describeError(detail, NEUTRAL_WORDING));
    this.name = 'EngineError';
  }

  /** Is this the user's doing (exit code 2 in the CLI), rather than a failure of the tool? */
  get isUserError(): boolean {
    return this.detail.code !== 'internal' && this.detail.code !== 'cancelled' && this.detail.code !== 'stopped';
  }
}

/** An input problem whose message reads the same in every front end. */
export function inputError(message: string): EngineError {
  return new EngineError({ code: 'input', message });
}

/** Text of any thrown value, without a stack trace. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An error as one line for a report: its first lines joined, up to the first line starting with
 * "---". gpu.js puts a shader compiler's own messages on the lines after its header, and the
 * generated source after a "--- generated WGSL ---" line:
 *   Error compiling WGSL compute shader:
 *     54:1 increment statement can only be applied to an integer scalar
 *   --- generated WGSL ---
 * The first line alone would lose the compiler's message.
 */
export function errorSummary(err: unknown, maxLines = 4, maxChars = 500): string {
  const lines: string[] = [];
  for (const line of errorMessage(err).split('\n')) {
    if (line.startsWith('---') || lines.length === maxLines) break;
    const text = line.trim();
    if (text) lines.push(text);
  }
  const summary = lines.join(' ');
  return summary.length > maxChars ? `${summary.slice(0, maxChars - 3)}...` : summary;
}

/** The detail of any thrown value: an EngineError's own, anything else as an internal error. */
export function errorDetailOf(err: unknown): ErrorDetail {
  return err instanceof EngineError ? err.detail : { code: 'internal', message: errorMessage(err) };
}
