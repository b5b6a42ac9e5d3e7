import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineError, inputError, type SettingName } from '../model/errors';
import type { ParamValue } from '../model/params';
import type { GivenParams } from '../model/settings';
import { isVariantId, VARIANT_IDS, type VariantId } from '../model/variant-ids';
import { FLAGS } from './wording';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A value that is a negative number: "-5", "-0.5", "-1,2". */
const NEGATIVE_NUMBER = /^-\.?\d/u;

/**
 * util.parseArgs with its errors turned into one-line user errors, and two rules it does not have:
 * a negative number after a flag is that flag's value (parseArgs calls `--n -5` ambiguous; the
 * flag's own check then says what the value must be), and a flag that takes one value may be given
 * once only (parseArgs keeps the last one silently).
 */
export function parseCommandArgs<T extends Options>(argv: string[], options: T) {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name].type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw inputError(message || 'bad arguments');
  }
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    const values = given.get(token.name) ?? [];
    values.push(token.value ?? token.rawName);
    given.set(token.name, values);
    if (values.length > 1) {
      const shown = options[token.name].type === 'string' ? ` (${values.map(quoteShort).join(' and ')})` : '';
      throw inputError(`--${token.name} is given twice${shown}; give it once`);
    }
  }
  return parsed;
}

/** A value as a message quotes it: whole when short, its beginning when long (a --text). */
function quoteShort(value: string): string {
  const shown = 40;
  return JSON.stringify(value.length > shown ? `${value.slice(0, shown)}...` : value);
}

/** The words for a negative value: the flag, the value, and what it must be instead. */
function negativeValue(setting: SettingName, value: string, range: { min: number; max: number } | undefined): EngineError {
  const must = range === undefined || range.min > 0 ? 'must be positive' : 'must not be negative';
  const bounds = range === undefined ? '' : ` (${range.min} <= ${setting} <= ${range.max})`;
  return inputError(`${FLAGS[setting]} ${value}: the value ${must}${bounds}`);
}

/** An integer flag within its range (the error names the flag and the range). */
export function parseInteger(setting: SettingName, value: string | undefined, fallback: number, range?: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  if (!/^[+-]?\d+$/u.test(value.trim())) throw inputError(`${FLAGS[setting]} "${value}" is not an integer`);
  const n = Number(value);
  if (n < 0) throw negativeValue(setting, value, range);
  if (range && (n < range.min || n > range.max)) throw new EngineError({ code: 'setting-range', setting, value: n, min: range.min, max: range.max });
  return n;
}

/** A decimal number flag (no hex, no exponent), within its range. */
export function parseNumber(setting: SettingName, value: string | undefined, fallback: number, range?: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/u.test(text)) throw inputError(`${FLAGS[setting]} "${value}" is not a number`);
  const n = Number(text);
  if (n < 0) throw negativeValue(setting, value, range);
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
