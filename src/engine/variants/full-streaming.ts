import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import { rowBlockKernels, rowsOf, streamingAttention, streamingAttentionBytes, type Span } from '../kernels/row-blocks';
import { qkvArgs } from '../kernels/runner';
import { softmaxReference, softmaxWeights } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * Full softmax attention computed tile by tile over the keys with an online softmax (the idea
 * behind FlashAttention): for each tile of `tile` keys, the scores of that tile only, the running
 * row max m and sum l are updated and the running output rescaled, so memory is O(N (tile + d))
 * instead of O(N^2). The output equals `full`'s. Causal rows skip the tiles after them.
 */
const params = {
  tile: { kind: 'int', description: 'keys per tile', default: 64, min: 1, max: { text: 'N', at: (n: number) => n } },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function tileOf(ctx: Ctx): number {
  return Math.min(ctx.params.tile, ctx.n);
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  return !ctx.causal || j <= i;
}

export const fullStreaming = defineVariant({
  id: 'full-streaming',
  name: 'Full softmax, streaming',
  family: 'exact',
  summary: 'the same output as full, computed over key tiles with an online softmax: O(N^2) time, O(N d) memory',
  params,
  exactAttention: true,
  directions: 'both',
  map: { type: 'mask', allowed },
  weights: softmaxWeights(allowed, 'softmax probability a_ij (the same as full)'),
  cost(ctx) {
    const { n, d } = ctx;
    const tile = tileOf(ctx);
    const nnz = ctx.causal ? (n * (n + 1)) / 2 : n * n;
    // Per tile and row: alpha, the old sum and the running output rescaled; then the division by l.
    const flops = nnz * (4 * d + 5) + Math.ceil(n / tile) * n * (d + 3) + n * d;
    return { flops, predictedBytes: streamingAttentionBytes(n, d, tile), nnz };
  },
  reference: softmaxReference(allowed),
  plan(ctx, runner) {
    const { n, d } = ctx;
    const tile = tileOf(ctx);
    const kernels = rowBlockKernels(runner, { rows: n, d, keys: tile, causal: ctx.causal, streaming: true });
    return {
      run(qkv) {
        const { q } = qkvArgs(qkv);
        return streamingAttention(runner, kernels, q, tilesOf(qkv.k, qkv.v, n, d, tile));
      },
    };
  },
});

/** The key tiles, each as its own [tile x d] K and V. */
function* tilesOf(k: Float32Array, v: Float32Array, n: number, d: number, tile: number): Generator<Span> {
  for (let k0 = 0; k0 < n; k0 += tile) {
    const valid = Math.min(tile, n - k0);
    yield { k: rowsOf(k, k0, valid, tile, d), v: rowsOf(v, k0, valid, tile, d), shift: k0, valid };
  }
}
