import type { z } from 'zod';

/** The first problem zod found, as "path: message" ("input.tokenizer: Invalid option ..."). */
export function firstIssue(error: z.ZodError, whole = 'message'): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || whole}: ${issue.message}` : `malformed ${whole}`;
}

/** Validates a value; the error names the first problem. */
export function validate<T>(schema: z.ZodType<T>, raw: unknown, whole = 'message'): { ok: true; value: T } | { ok: false; error: string } {
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: firstIssue(parsed.error, whole) };
}
