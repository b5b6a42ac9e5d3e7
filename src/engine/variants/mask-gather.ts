import { gatherCost, gatherPlan, type IndexSet } from '../kernels/gather';
import { countPairs, softmaxReference, softmaxWeights } from './reference';
import type { VariantContext, VariantDefinition } from './variant';
import type { ParamSpecs, ParamValuesOf } from '../../model/params';

/** What a mask variant computed as a gather states about itself; the other sections follow from it. */
export interface MaskGather<V> {
  allowed: (ctx: VariantContext<V>, i: number, j: number) => boolean;
  /** Number of allowed keys of row i, in O(1): the nnz the cost model counts. */
  rowCount: (ctx: VariantContext<V>, i: number) => number;
  /** The index sets the kernels gather over, in the order they run. */
  indexSets: (ctx: VariantContext<V>) => IndexSet[];
}

/**
 * The sections of a mask variant computed as gathers over its index sets: its map is the mask,
 * its weights and float64 reference are softmax over the allowed keys, its cost and its kernels
 * are those of the gather passes.
 */
export function maskGather<P extends ParamSpecs>(parts: MaskGather<ParamValuesOf<P>>): Pick<VariantDefinition<P>, 'map' | 'weights' | 'cost' | 'reference' | 'indexSets' | 'plan'> {
  return {
    map: { type: 'mask', allowed: parts.allowed },
    weights: softmaxWeights(parts.allowed),
    cost: (ctx) =>
      gatherCost(
        parts.indexSets(ctx),
        countPairs(ctx.n, (i) => parts.rowCount(ctx, i)),
        ctx.d,
      ),
    reference: softmaxReference(parts.allowed),
    indexSets: parts.indexSets,
    plan: (ctx, runner) => gatherPlan(runner, parts.indexSets(ctx), ctx.d),
  };
}
