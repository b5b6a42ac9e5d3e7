import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import { denseAttention, denseAttentionBytes, rowBlockKernels } from '../kernels/row-blocks';
import { qkvArgs } from '../kernels/runner';
import { countPairs, softmaxReference, softmaxWeights } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * Full softmax attention: the N x N scores materialized, the O(N^2) baseline. Causal rows skip
 * the keys after them in every kernel (whole blocks of four rows at a time).
 */
const params = {} satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

const allowed = (ctx: Ctx, i: number, j: number): boolean => !ctx.causal || j <= i;

export const full = defineVariant({
  id: 'full',
  name: 'Full softmax',
  family: 'exact',
  summary: 'softmax(QK^T/sqrt(d))V with the N x N scores materialized: the O(N^2) baseline',
  params,
  exactAttention: true,
  directions: 'both',
  map: { type: 'mask', allowed },
  weights: softmaxWeights(allowed),
  cost(ctx) {
    const nnz = countPairs(ctx.n, (i) => (ctx.causal ? i + 1 : ctx.n));
    // Scores and weights are [N x N] (rows padded to a multiple of four), with the row statistics.
    return { flops: nnz * (4 * ctx.d + 5), predictedBytes: denseAttentionBytes(ctx.n, ctx.d, ctx.n), nnz };
  },
  reference: softmaxReference(allowed),
  plan(ctx, runner) {
    const kernels = rowBlockKernels(runner, { rows: ctx.n, d: ctx.d, keys: ctx.n, causal: ctx.causal });
    return {
      run(qkv) {
        const { q, k, v } = qkvArgs(qkv);
        return denseAttention(runner, kernels, q, { k, v, shift: 0, valid: ctx.n });
      },
    };
  },
});
