import { inputError } from './errors';

export type ParamValue = number | string | boolean;
/** Resolved parameters of a variant, by name (reports carry them like this). */
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** A bound or default that may depend on N and on the parameters declared before it. */
export interface Derived {
  /** How the UI and the docs write it, e.g. "round(sqrt N)". */
  text: string;
  at: (n: number, earlier: ParamValues) => number;
}

interface ParamBase {
  description: string;
  /** True when the value is a function of N, so a length sweep recomputes it ("(N)" in VARIANTS.md). */
  dependsOnN?: boolean;
}

export interface IntParam extends ParamBase {
  kind: 'int';
  default: number | Derived;
  min: number | Derived;
  max: number | Derived;
}

export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number;
  min: number;
  max: number;
}

export interface EnumParam<C extends string = string> extends ParamBase {
  kind: 'enum';
  default: C;
  choices: readonly C[];
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

/** A variant's parameters by name, in the order they are resolved (later ones may depend on earlier ones). */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The resolved value types of a set of parameter specs: what a variant's code reads. */
export type ParamValuesOf<P extends ParamSpecs> = {
  readonly [K in keyof P]: P[K] extends IntParam | FloatParam ? number : P[K] extends EnumParam<infer C> ? C : P[K] extends BoolParam ? boolean : string;
};

/** An enum parameter whose value type is the union of its choices. */
export function enumParam<const C extends string>(spec: Omit<EnumParam<C>, 'kind'>): EnumParam<C> {
  return { kind: 'enum', ...spec };
}

/** A resolved integer parameter read by a Derived bound (which sees the earlier values untyped). */
export function earlierInt(earlier: ParamValues, name: string): number {
  const value = earlier[name];
  if (typeof value !== 'number') throw new Error(`parameter ${name} must be resolved before the ones that depend on it`);
  return value;
}

function valueAt(x: number | Derived, n: number, params: ParamValues): number {
  return typeof x === 'number' ? x : x.at(n, params);
}

function boundText(x: number | Derived): string {
  return typeof x === 'number' ? String(x) : x.text;
}

/** What the UI shows for a parameter's default and range, independent of N. */
export function describeParam(name: string, spec: ParamSpec): { default: string; range: string } {
  switch (spec.kind) {
    case 'int':
      return {
        default: typeof spec.default === 'number' ? String(spec.default) : spec.default.text,
        range: `${boundText(spec.min)} <= ${name} <= ${boundText(spec.max)}`,
      };
    case 'float':
      return { default: String(spec.default), range: `${spec.min} <= ${name} <= ${spec.max}` };
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
export function resolveParams<P extends ParamSpecs>(variantId: string, specs: P, given: Readonly<Record<string, ParamValue>>, n: number): ParamValuesOf<P> {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      const known = Object.keys(specs).join(', ') || 'none';
      throw inputError(`unknown parameter "${name}" for variant ${variantId} (its parameters: ${known})`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    const value = raw === undefined ? defaultValue(spec, n, out) : parseValue(`${variantId}.${name}`, spec, raw);
    checkRange(`${variantId}.${name}`, name, spec, value, n, out);
    out[name] = value;
  }
  // Each value was parsed by its own spec's kind above, which is what ParamValuesOf<P> states.
  return out as ParamValuesOf<P>;
}

function defaultValue(spec: ParamSpec, n: number, params: ParamValues): ParamValue {
  if (spec.kind === 'int') {
    const lo = valueAt(spec.min, n, params);
    const hi = valueAt(spec.max, n, params);
    // A default that does not fit a short input is clamped into range (e.g. window 32 at N = 10).
    return Math.min(Math.max(valueAt(spec.default, n, params), lo), Math.max(lo, hi));
  }
  if (spec.kind === 'positions') {
    return parsePositions(spec.default)
      .filter((p) => p < n)
      .join(',');
  }
  return spec.default;
}

/** Plain decimal numbers only: no hex, no exponents, no empty strings that Number() reads as 0. */
const INTEGER_TEXT = /^[+-]?\d+$/u;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/u;

function parseValue(label: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'int': {
      const v = typeof raw === 'number' ? raw : INTEGER_TEXT.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(v)) throw inputError(`${label} = "${text}" is not an integer`);
      return v;
    }
    case 'float': {
      const v = typeof raw === 'number' ? raw : DECIMAL_TEXT.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(v)) throw inputError(`${label} = "${text}" is not a number`);
      return v;
    }
    case 'enum':
      if (!spec.choices.includes(text)) throw inputError(`${label} = "${text}" is not one of ${spec.choices.join(' | ')}`);
      return text;
    case 'bool':
      if (raw === true || raw === false) return raw;
      if (text === 'true' || text === '1' || text === 'on') return true;
      if (text === 'false' || text === '0' || text === 'off') return false;
      throw inputError(`${label} = "${text}" is not true or false`);
    case 'positions':
      return text;
  }
}

function checkRange(label: string, name: string, spec: ParamSpec, value: ParamValue, n: number, earlier: ParamValues): void {
  if ((spec.kind === 'int' || spec.kind === 'float') && typeof value === 'number') {
    const lo = valueAt(spec.min, n, earlier);
    const hi = valueAt(spec.max, n, earlier);
    if (value < lo || value > hi) {
      throw inputError(`${label} = ${value} is out of range: ${describeParam(name, spec).range} (here ${lo}..${hi}, N = ${n})`);
    }
  }
  if (spec.kind === 'positions' && typeof value === 'string') {
    const positions = parsePositions(value);
    if (positions.some((p) => !Number.isInteger(p))) throw inputError(`${label} = "${value}" is not a comma-separated list of token positions`);
    const bad = positions.find((p) => p >= n);
    if (bad !== undefined) throw inputError(`${label}: position ${bad} is out of range 0..${n - 1} (N = ${n})`);
    if (new Set(positions).size !== positions.length) throw inputError(`${label} = "${value}" lists a position twice`);
    if (positions.length > spec.maxCount) throw inputError(`${label} lists ${positions.length} positions; at most ${spec.maxCount}`);
  }
}
