import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors';
import type { ParamValue } from '../core/params';
import { isVariantId, VARIANTS } from '../core/variants/registry';
import type { VariantId } from '../core/variants/types';

/** util.parseArgs with its errors turned into one-line user errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserError(message ?? 'bad arguments');
  }
}

export function parseInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/u.test(value.trim())) throw new UserError(`--${flag} "${value}" is not an integer`);
  return Number(value);
}

export function parseNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new UserError(`--${flag} "${value}" is not a number`);
  return x;
}

/** --variants LIST|all */
export function parseVariantList(value: string | undefined): VariantId[] {
  if (value === undefined || value.trim() === 'all') return VARIANTS.map((v) => v.id);
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids.length === 0) throw new UserError('--variants is empty (give ids separated by commas, or all)');
  for (const id of ids) {
    if (!isVariantId(id)) throw new UserError(`unknown variant "${id}" (known: ${VARIANTS.map((v) => v.id).join(', ')})`);
  }
  return [...new Set(ids)] as VariantId[];
}

/** NAME=VALUE */
export function splitAssignment(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--${flag} "${text}" is not of the form NAME=VALUE`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/** --param ID.NAME=VALUE, repeated. */
export function parseScopedParams(values: readonly string[] | undefined): Partial<Record<VariantId, Record<string, ParamValue>>> {
  const out: Partial<Record<VariantId, Record<string, ParamValue>>> = {};
  for (const text of values ?? []) {
    const [key, value] = splitAssignment(text, 'param');
    const dot = key.indexOf('.');
    if (dot <= 0) throw new UserError(`--param "${text}" must name the variant: ID.NAME=VALUE (e.g. sliding.window=64)`);
    const id = key.slice(0, dot);
    if (!isVariantId(id)) throw new UserError(`unknown variant "${id}" in --param ${text} (known: ${VARIANTS.map((v) => v.id).join(', ')})`);
    (out[id] ??= {})[key.slice(dot + 1)] = value;
  }
  return out;
}

/** --param NAME=VALUE for a single-variant command. */
export function parsePlainParams(values: readonly string[] | undefined): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const text of values ?? []) {
    const [name, value] = splitAssignment(text, 'param');
    out[name] = value;
  }
  return out;
}

/** --causal | --bidirectional (causal by default). */
export function parseDirection(causal: boolean | undefined, bidirectional: boolean | undefined): boolean {
  if (causal && bidirectional) throw new UserError('--causal and --bidirectional are mutually exclusive');
  return !bidirectional;
}
