import { z } from 'zod';
import { FILE_BOUNDS } from './limits';

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

/**
 * The same schema with every size bounded, for what is read from files: each string at most
 * FILE_BOUNDS.maxString characters, each list at most FILE_BOUNDS.maxItems items (or the bound
 * `lists` gives its path, "input.tokens"), each record at most FILE_BOUNDS.maxEntries entries.
 * Fields added to a schema later are bounded too. Descriptions are kept (the JSON Schemas show the bounds).
 */
export function bounded<T extends z.ZodType>(schema: T, lists: Readonly<Record<string, number>> = {}, path = ''): T {
  return boundedAny(schema, lists, path) as T;
}

function boundedAny(schema: z.ZodType, lists: Readonly<Record<string, number>>, path: string): z.ZodType {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  let out: z.ZodType;
  if (schema instanceof z.ZodObject) {
    out = z.object(Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, s]) => [key, boundedAny(s, lists, at(key))])));
  } else if (schema instanceof z.ZodArray) {
    const max = lists[path] ?? FILE_BOUNDS.maxItems;
    out = z.array(boundedAny(schema.element as z.ZodType, lists, at('*'))).max(max, { error: (issue) => `${describeSize(issue.input)} items are more than the ${max} allowed` });
  } else if (schema instanceof z.ZodOptional) {
    out = boundedAny(schema.unwrap() as z.ZodType, lists, path).optional();
  } else if (schema instanceof z.ZodNullable) {
    out = boundedAny(schema.unwrap() as z.ZodType, lists, path).nullable();
  } else if (schema instanceof z.ZodString) {
    out = schema.max(FILE_BOUNDS.maxString, { error: (issue) => `a text of ${describeSize(issue.input)} characters is longer than the ${FILE_BOUNDS.maxString} allowed` });
  } else if (schema instanceof z.ZodRecord && schema.keyType instanceof z.ZodString) {
    out = z
      .record(z.string().max(FILE_BOUNDS.maxKey), boundedAny(schema.valueType as z.ZodType, lists, at('*')))
      .refine((r) => Object.keys(r).length <= FILE_BOUNDS.maxEntries, `more than ${FILE_BOUNDS.maxEntries} entries`);
  } else if (schema instanceof z.ZodDiscriminatedUnion) {
    const options = (schema.options as z.ZodType[]).map((o) => boundedAny(o, lists, path));
    out = z.discriminatedUnion(schema.def.discriminator, options as [z.ZodObject, ...z.ZodObject[]]);
  } else if (schema instanceof z.ZodUnion) {
    out = z.union((schema.options as z.ZodType[]).map((o) => boundedAny(o, lists, path)) as [z.ZodType, ...z.ZodType[]]);
  } else {
    // Numbers, booleans, enums, literals (and records keyed by an enum) have no size to bound.
    return schema;
  }
  return schema.description === undefined ? out : out.describe(schema.description);
}

function describeSize(input: unknown): string {
  return typeof input === 'string' || Array.isArray(input) ? String(input.length) : 'so many';
}
