import { type MASK_TYPES } from '../../model/report';
import { resolveParams, type ParamSpecs, type ParamValue, type ParamValues, type ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import type { DeviceArray, KernelRunner } from '../kernels/runner';
import type { Qkv } from '../qkv';

/**
 * What the variant's map shows (VARIANTS.md Part A): `mask` = allowed(i, j); `slot_mask` = allowed
 * (i, memory slot m) for memory-compressed attention; `effective_support` = where the effective
 * weight a_ij can be non-zero for variants that are not masks.
 */
export type MaskType = (typeof MASK_TYPES)[number];

export type Directions = 'both' | 'causal-only' | 'bidirectional-only';

/** The shape of one run: sequence length, head dimension, direction and seed. */
export interface RunShape {
  readonly n: number;
  readonly d: number;
  readonly causal: boolean;
  readonly seed: number;
}

/** Everything a variant's code sees for one run: the run's shape, its typed parameters, a cache. */
export interface VariantContext<V> extends RunShape {
  readonly params: V;
  /**
   * Values derived once and reused by the reference, the map, the KL figure and the kernels
   * (seeded weights, pooled keys, relative-position tables): per prepared variant, and per input
   * set when `inputs` is given.
   */
  memo<T>(name: string, compute: () => T, inputs?: Qkv): T;
}

export interface CostModel {
  /** Floating-point operations of the kernels as implemented (one multiply-add = 2). */
  flops: number;
  /** Peak bytes of intermediates the kernels hold at once, beyond Q, K, V, seeded weights and O. */
  predictedBytes: number;
  /** Number of (query, key) pairs with a non-zero weight: mask entries, or the effective support. */
  nnz: number;
}

/** A compiled set of kernels for one run; `run` computes O [n x d] from one input set. */
export interface VariantPlan {
  run(inputs: Qkv): Promise<DeviceArray>;
}

/**
 * One variant, in the shape every variant file has (VARIANTS.md Part A names and conventions):
 * parameters, the map (mask predicate or effective-weight support), the effective weights, the
 * cost model, the float64 reference and the gpu.js kernels.
 */
export interface VariantDefinition<P extends ParamSpecs> {
  id: string;
  name: string;
  family: string;
  /** One line for cards and `variants`: what the variant computes. */
  summary: string;
  params: P;
  /** Which directions the variant defines; the other one is either refused or labelled. */
  directions: Directions;
  /** The variant computes exact softmax attention: its float64 reference is the run's exact baseline, computed once. */
  exactAttention?: boolean;
  /** A label shown with the results when the run's direction is an extension of the reference. */
  directionNote?(causal: boolean): string | undefined;
  map: {
    type: MaskType;
    /** Columns of the map: n, or the number of memory slots for `slot_mask`. */
    columns?(ctx: VariantContext<ParamValuesOf<P>>): number;
    /** The mask predicate, slot predicate or effective support, for query i and column j. */
    allowed(ctx: VariantContext<ParamValuesOf<P>>, i: number, j: number): boolean;
  };
  weights: {
    /**
     * The effective weight of v_j in o_i (mean over channels where it depends on the channel,
     * gate excluded), for the map and the KL figure; float64, length n.
     */
    row(ctx: VariantContext<ParamValuesOf<P>>, qkv: Qkv, i: number): Float64Array;
    /** Whether rows are probability distributions (sum to 1, or 1 - eps/(den+eps) for linear). */
    distribution: boolean;
    /** How the weights are attributed, shown next to the map. */
    attribution: string;
  };
  cost(ctx: VariantContext<ParamValuesOf<P>>): CostModel;
  /** Bytes of seeded weights the variant adds to Q, K, V (AFT's w, Transformer-XL's u, v, W_r). */
  weightBytes?(ctx: VariantContext<ParamValuesOf<P>>): number;
  /** The float64 reference output for the given rows (row-major [rows.length x d]). */
  reference(ctx: VariantContext<ParamValuesOf<P>>, qkv: Qkv, rows: readonly number[]): Float64Array;
  /**
   * For variants computed as gathers: the index sets their kernels read, in the order they run.
   * A later set overwrites the rows of an earlier one (tests compare the keys of each query's
   * last set with its mask row).
   */
  indexSets?(ctx: VariantContext<ParamValuesOf<P>>): IndexSet[];
  /** Builds the gpu.js kernels of this variant for one run. */
  plan(ctx: VariantContext<ParamValuesOf<P>>, runner: KernelRunner): VariantPlan;
}

/** A variant ready for one run: parameters resolved and checked, every function bound to them. */
export interface PreparedVariant {
  readonly variant: Variant;
  readonly shape: RunShape;
  /** The resolved parameters, as the report records them. */
  readonly params: ParamValues;
  readonly directionNote: string | undefined;
  readonly maskColumns: number;
  allowed(i: number, j: number): boolean;
  rowWeights(qkv: Qkv, i: number): Float64Array;
  cost(): CostModel;
  weightBytes(): number;
  reference(qkv: Qkv, rows: readonly number[]): Float64Array;
  indexSets(): IndexSet[] | undefined;
  plan(runner: KernelRunner): VariantPlan;
}

/** A variant as the registry, the CLI and the engine see it. */
export interface Variant {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly summary: string;
  readonly params: ParamSpecs;
  readonly directions: Directions;
  readonly maskType: MaskType;
  readonly weightsAreDistribution: boolean;
  readonly exactAttention: boolean;
  readonly attribution: string;
  /** Resolves the given parameters for this run (errors name the parameter and its range). */
  prepare(shape: RunShape, given?: Readonly<Record<string, ParamValue>>): PreparedVariant;
}

export function defineVariant<P extends ParamSpecs>(def: VariantDefinition<P>): Variant {
  const variant: Variant = {
    id: def.id,
    name: def.name,
    family: def.family,
    summary: def.summary,
    params: def.params,
    directions: def.directions,
    maskType: def.map.type,
    weightsAreDistribution: def.weights.distribution,
    exactAttention: def.exactAttention ?? false,
    attribution: def.weights.attribution,
    prepare(shape, given = {}) {
      const ctx = variantContext(shape, resolveParams(def.id, def.params, given, shape.n));
      return {
        variant,
        shape,
        params: ctx.params,
        directionNote: def.directionNote?.(shape.causal),
        maskColumns: def.map.columns?.(ctx) ?? shape.n,
        allowed: (i, j) => def.map.allowed(ctx, i, j),
        rowWeights: (qkv, i) => def.weights.row(ctx, qkv, i),
        cost: () => def.cost(ctx),
        weightBytes: () => def.weightBytes?.(ctx) ?? 0,
        reference: (qkv, rows) => def.reference(ctx, qkv, rows),
        indexSets: () => def.indexSets?.(ctx),
        plan: (runner) => def.plan(ctx, runner),
      };
    },
  };
  return variant;
}

/** The context a variant's code sees for one run; `prepare` makes one per run, tests may make their own. */
export function variantContext<V>(shape: RunShape, params: V): VariantContext<V> {
  const own = new Map<string, unknown>();
  const perInputs = new WeakMap<Qkv, Map<string, unknown>>();
  return {
    n: shape.n,
    d: shape.d,
    causal: shape.causal,
    seed: shape.seed,
    params,
    memo<T>(name: string, compute: () => T, inputs?: Qkv): T {
      let store = own;
      if (inputs) {
        store = perInputs.get(inputs) ?? new Map<string, unknown>();
        perInputs.set(inputs, store);
      }
      if (!store.has(name)) store.set(name, compute());
      // The entry was set from this same name's compute(), so it has that call's type.
      return store.get(name) as T;
    },
  };
}
