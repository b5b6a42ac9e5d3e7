import { UserError } from './errors';

export type ParamValue = number | string | boolean;
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** A bound or default that may depend on N and on the parameters declared before it. */
export interface Derived<T> {
  /** How the UI and the docs write it, e.g. "round(sqrt N)". */
  text: string;
  at: (n: number, params: ParamValues) => T;
}

interface ParamBase {
  name: string;
  description: string;
  /** True when the value is a function of N, so a length sweep recomputes it ("(N)" in VARIANTS.md). */
  dependsOnN?: boolean;
}

export interface IntParam extends ParamBase {
  kind: 'int';
  default: number | Derived<number>;
  min: number | Derived<number>;
  max: number | Derived<number>;
}

export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number;
  min: number;
  max: number;
}

export interface EnumParam extends ParamBase {
  kind: 'enum';
  default: string;
  choices: readonly string[];
}

export interface BoolParam extends ParamBase {
  kind: 'bool';
  default: boolean;
}

/** Comma-separated token positions, e.g. Longformer's global tokens "0,20". */
export interface PositionsParam extends ParamBase {
  kind: 'positions';
  default: string;
  maxCount: number;
}

export type ParamSpec = IntParam | FloatParam | EnumParam | BoolParam | PositionsParam;

function valueAt<T>(x: T | Derived<T>, n: number, params: ParamValues): T {
  return typeof x === 'object' && x !== null && 'at' in x ? x.at(n, params) : (x as T);
}

function boundText(x: number | Derived<number>): string {
  return typeof x === 'number' ? String(x) : x.text;
}

/** What the UI shows for a parameter's default and range, independent of N. */
export function describeParam(spec: ParamSpec): { default: string; range: string } {
  switch (spec.kind) {
    case 'int':
      return {
        default: typeof spec.default === 'number' ? String(spec.default) : spec.default.text,
        range: `${boundText(spec.min)} <= ${spec.name} <= ${boundText(spec.max)}`,
      };
    case 'float':
      return { default: String(spec.default), range: `${spec.min} <= ${spec.name} <= ${spec.max}` };
    case 'enum':
      return { default: spec.default, range: spec.choices.join(' | ') };
    case 'bool':
      return { default: String(spec.default), range: 'true | false' };
    case 'positions':
      return { default: spec.default, range: `up to ${spec.maxCount} distinct positions in 0..N-1, comma-separated` };
  }
}

/** Parses the comma-separated positions of a `positions` parameter (no range check). */
export function parsePositions(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(/[\s,]+/u).map((p) => (/^\d+$/u.test(p) ? Number(p) : NaN));
}

/**
 * Resolves a variant's parameters for a sequence of n tokens: defaults filled in (those that
 * depend on N computed for this n), user values parsed from text or taken as given, and every
 * value checked against its range. Errors name the variant, the parameter and the range.
 */
export function resolveParams(
  variantId: string,
  specs: readonly ParamSpec[],
  given: Readonly<Record<string, ParamValue>>,
  n: number,
): Record<string, ParamValue> {
  for (const name of Object.keys(given)) {
    if (!specs.some((s) => s.name === name)) {
      const known = specs.map((s) => s.name).join(', ') || 'none';
      throw new UserError(`unknown parameter "${name}" for variant ${variantId} (its parameters: ${known})`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const spec of specs) {
    const raw = given[spec.name];
    out[spec.name] = raw === undefined ? defaultValue(spec, n, out) : parseValue(variantId, spec, raw);
    checkRange(variantId, spec, out[spec.name] as ParamValue, n, out);
  }
  return out;
}

function defaultValue(spec: ParamSpec, n: number, params: ParamValues): ParamValue {
  if (spec.kind === 'int') {
    const lo = valueAt(spec.min, n, params);
    const hi = valueAt(spec.max, n, params);
    // A default that does not fit a short input is clamped into range (e.g. window 32 at N = 10).
    return Math.min(Math.max(valueAt(spec.default, n, params), lo), Math.max(lo, hi));
  }
  if (spec.kind === 'positions') {
    return parsePositions(spec.default).filter((p) => p < n).join(',');
  }
  return spec.default;
}

function parseValue(variantId: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const label = `${variantId}.${spec.name}`;
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'int': {
      const v = typeof raw === 'number' ? raw : Number(text);
      if (text === '' || !Number.isInteger(v)) throw new UserError(`${label} = "${text}" is not an integer`);
      return v;
    }
    case 'float': {
      const v = typeof raw === 'number' ? raw : Number(text);
      if (text === '' || !Number.isFinite(v)) throw new UserError(`${label} = "${text}" is not a number`);
      return v;
    }
    case 'enum':
      if (!spec.choices.includes(text)) throw new UserError(`${label} = "${text}" is not one of ${spec.choices.join(' | ')}`);
      return text;
    case 'bool':
      if (raw === true || raw === false) return raw;
      if (text === 'true' || text === '1' || text === 'on') return true;
      if (text === 'false' || text === '0' || text === 'off') return false;
      throw new UserError(`${label} = "${text}" is not true or false`);
    case 'positions':
      return text;
  }
}

function checkRange(variantId: string, spec: ParamSpec, value: ParamValue, n: number, params: ParamValues): void {
  const label = `${variantId}.${spec.name}`;
  if (spec.kind === 'int' || spec.kind === 'float') {
    const lo = valueAt(spec.min, n, params);
    const hi = valueAt(spec.max, n, params);
    const v = value as number;
    if (v < lo || v > hi) {
      const range = spec.kind === 'int' ? `${boundText(spec.min)} <= ${spec.name} <= ${boundText(spec.max)}` : `${spec.min} <= ${spec.name} <= ${spec.max}`;
      throw new UserError(`${label} = ${v} is out of range: ${range} (here ${lo}..${hi}, N = ${n})`);
    }
  }
  if (spec.kind === 'positions') {
    const positions = parsePositions(value as string);
    if (positions.some((p) => !Number.isInteger(p))) {
      throw new UserError(`${label} = "${value}" is not a comma-separated list of token positions`);
    }
    const bad = positions.find((p) => p >= n);
    if (bad !== undefined) throw new UserError(`${label}: position ${bad} is out of range 0..${n - 1} (N = ${n})`);
    if (new Set(positions).size !== positions.length) throw new UserError(`${label} = "${value}" lists a position twice`);
    if (positions.length > spec.maxCount) throw new UserError(`${label} lists ${positions.length} positions; at most ${spec.maxCount}`);
  }
}
