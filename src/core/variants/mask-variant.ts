import { gatherCost, gatherPlan, type IndexSet } from '../kernels/gather';
import { maskRowWeights, outputsFromWeights } from './common';
import type { Variant, VariantContext } from './types';

/**
 * The parts of a plain mask variant that differ from one variant to the next; `maskVariant`
 * fills in the rest (reference, weights, cost and plan are the same for every mask computed as
 * one gather pass).
 */
export interface MaskVariantSpec extends Pick<Variant, 'id' | 'name' | 'family' | 'summary' | 'params' | 'directions' | 'directionNote'> {
  allowed(ctx: VariantContext, i: number, j: number): boolean;
  /** Number of allowed keys of row i, in O(1), for nnz and FLOPs. */
  rowCount(ctx: VariantContext, i: number): number;
  /** The gather index set of the kernels: slots per row and keyOf. */
  indexSet(ctx: VariantContext): IndexSet;
  /** For variants that need more than one gather pass: their own plan and memory figure. */
  plan?: Variant['plan'];
  predictedBytes?: (ctx: VariantContext) => number;
}

/** A mask variant also exposes the index set its kernels gather over (tests compare it with the mask). */
export type MaskVariant = Variant & { indexSet(ctx: VariantContext): IndexSet };

export function maskVariant(spec: MaskVariantSpec): MaskVariant {
  const nnz = (ctx: VariantContext) => {
    let total = 0;
    for (let i = 0; i < ctx.n; i++) total += spec.rowCount(ctx, i);
    return total;
  };
  const weights = (ctx: VariantContext, qkv: Parameters<Variant['rowWeights']>[1], i: number) =>
    maskRowWeights(qkv, i, (j) => spec.allowed(ctx, i, j));
  return {
    id: spec.id,
    name: spec.name,
    family: spec.family,
    summary: spec.summary,
    params: spec.params,
    directions: spec.directions,
    directionNote: spec.directionNote,
    maskType: 'mask',
    maskColumns: (ctx) => ctx.n,
    allowed: spec.allowed,
    indexSet: spec.indexSet,
    rowWeights: weights,
    weightsAreDistribution: true,
    attribution: 'softmax probability a_ij over the allowed keys',
    cost(ctx) {
      const set = spec.indexSet(ctx);
      const count = nnz(ctx);
      const cost = gatherCost(set.rows, set.slots, count, ctx.d);
      return { flops: cost.flops, predictedBytes: spec.predictedBytes?.(ctx) ?? cost.predictedBytes, nnz: count };
    },
    reference: (ctx, qkv, rows) => outputsFromWeights(qkv, rows, (i) => weights(ctx, qkv, i)),
    plan: spec.plan ?? ((ctx, runner) => gatherPlan(runner, spec.indexSet(ctx), ctx.d)),
  };
}
