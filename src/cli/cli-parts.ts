import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineError, inputError, type SettingName } from '../model/errors';
import type { ParamValue } from '../model/params';
import type { GivenParams } from '../model/settings';
import { isVariantId, VARIANT_IDS, type VariantId } from '../model/variant-ids';
import { FLAGS } from './wording';

/** util.parseArgs with its errors turned into one-line user errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw inputError(message ?? 'bad arguments');
  }
}

/** An integer flag within its range (the error names the flag and the range). */
export function parseInteger(setting: SettingName, value: string | undefined, fallback: number, range?: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  if (!/^[+-]?\d+$/u.test(value.trim())) throw inputError(`${FLAGS[setting]} "${value}" is not an integer`);
  const n = Number(value);
  if (range && (n < range.min || n > range.max)) throw new EngineError({ code: 'setting-range', setting, value: n, min: range.min, max: range.max });
  return n;
}

/** A decimal number flag (no hex, no exponent), at least `min`. */
export function parseNumber(setting: SettingName, value: string | undefined, fallback: number, range?: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/u.test(text)) throw inputError(`${FLAGS[setting]} "${value}" is not a number`);
  const n = Number(text);
  if (range && (n < range.min || n > range.max)) throw new EngineError({ code: 'setting-range', setting, value: n, min: range.min, max: range.max });
  return n;
}

/** --variants LIST|all */
export function parseVariantList(value: string | undefined): VariantId[] {
  if (value === undefined || value.trim() === 'all') return [...VARIANT_IDS];
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (ids.length === 0) throw inputError('--variants is empty (give ids separated by commas, or all)');
  const known: VariantId[] = [];
  for (const id of ids) {
    if (!isVariantId(id)) throw inputError(`unknown variant "${id}" (known: ${VARIANT_IDS.join(', ')})`);
    if (!known.includes(id)) known.push(id);
  }
  return known;
}

/** NAME=VALUE */
function splitAssignment(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw inputError(`--${flag} "${text}" is not of the form NAME=VALUE`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/** A record without a prototype, so that a parameter named "__proto__" is a plain (unknown) name. */
function plainRecord(): Record<string, ParamValue> {
  return Object.create(null) as Record<string, ParamValue>;
}

/** --param ID.NAME=VALUE, repeated. */
export function parseScopedParams(values: readonly string[] | undefined): GivenParams {
  const out: GivenParams = {};
  for (const text of values ?? []) {
    const [key, value] = splitAssignment(text, 'param');
    const dot = key.indexOf('.');
    if (dot <= 0) throw inputError(`--param "${text}" must name the variant: ID.NAME=VALUE (e.g. sliding.window=64)`);
    const id = key.slice(0, dot);
    if (!isVariantId(id)) throw inputError(`unknown variant "${id}" in --param ${text} (known: ${VARIANT_IDS.join(', ')})`);
    const params = (out[id] ??= plainRecord());
    params[key.slice(dot + 1)] = value;
  }
  return out;
}

/** --param NAME=VALUE for a single-variant command. */
export function parsePlainParams(values: readonly string[] | undefined): Record<string, ParamValue> {
  const out = plainRecord();
  for (const text of values ?? []) {
    const [name, value] = splitAssignment(text, 'param');
    out[name] = value;
  }
  return out;
}

/** --causal | --bidirectional (causal by default). */
export function parseDirection(causal: boolean | undefined, bidirectional: boolean | undefined): boolean {
  if (causal && bidirectional) throw inputError('--causal and --bidirectional are mutually exclusive');
  return !bidirectional;
}
