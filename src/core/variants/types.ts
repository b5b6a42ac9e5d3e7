import type { KernelRunner, DeviceArray } from '../kernels/runner';
import type { ParamSpec, ParamValues } from '../params';
import type { Qkv } from '../qkv';

import type { VariantId } from './ids';

export { VARIANT_IDS, type VariantId } from './ids';

/** Everything a variant needs to know about one run: sizes, direction, seed and resolved parameters. */
export interface VariantContext {
  n: number;
  d: number;
  causal: boolean;
  seed: number;
  params: ParamValues;
}

/**
 * What the variant's map shows (VARIANTS.md Part A): `mask` = allowed(i, j); `slot_mask` = allowed
 * (i, memory slot m) for memory-compressed attention; `effective_support` = where the effective
 * weight a_ij can be non-zero for variants that are not masks.
 */
export type MaskType = 'mask' | 'slot_mask' | 'effective_support';

export interface CostModel {
  /** Floating-point operations of the kernels as implemented (one multiply-add = 2). */
  flops: number;
  /** Peak bytes of intermediates the kernels hold at once, beyond Q, K, V, seeded weights and O. */
  predictedBytes: number;
  /** Number of (query, key) pairs with a non-zero weight: mask entries, or the effective support. */
  nnz: number;
}

/** A compiled set of kernels for one context; `run` computes O [n x d] from one input set. */
export interface VariantPlan {
  run(inputs: Qkv): Promise<DeviceArray>;
}

export interface Variant {
  id: VariantId;
  name: string;
  family: string;
  /** One line for cards and `variants`: what the variant computes. */
  summary: string;
  params: readonly ParamSpec[];
  /** Which directions the variant defines; the other one is either refused or labelled. */
  directions: 'both' | 'causal-only' | 'bidirectional-only';
  /** A label shown with the results when the run's direction is an extension of the reference. */
  directionNote(causal: boolean): string | undefined;
  maskType: MaskType;
  /** Columns of the mask: n, or the number of memory slots for `slot_mask`. */
  maskColumns(ctx: VariantContext): number;
  /** The mask predicate, slot predicate or effective support, for query i and column j. */
  allowed(ctx: VariantContext, i: number, j: number): boolean;
  /**
   * The effective weight of v_j in o_i (mean over channels where it depends on the channel, gate
   * excluded), for the map and for the KL figure; float64, length n.
   */
  rowWeights(ctx: VariantContext, qkv: Qkv, i: number): Float64Array;
  /** Whether rowWeights rows are probability distributions (sum to 1, or 1 - eps/(den+eps) for linear). */
  weightsAreDistribution: boolean;
  /** How rowWeights attributes weight, shown next to the map. */
  attribution: string;
  cost(ctx: VariantContext): CostModel;
  /** Bytes of seeded weights the variant adds to Q, K, V (AFT's w, Transformer-XL's u, v, W_r). */
  weightBytes?(ctx: VariantContext): number;
  /** The float64 reference output for the given rows (row-major [rows.length x d]). */
  reference(ctx: VariantContext, qkv: Qkv, rows: readonly number[]): Float64Array;
  /** Builds the gpu.js kernels of this variant for one context. */
  plan(ctx: VariantContext, runner: KernelRunner): VariantPlan;
}
