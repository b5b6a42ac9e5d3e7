import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import { rowBlockKernels, streamingAttention, streamingAttentionBytes } from '../kernels/row-blocks';
import { hostMatrix, qkvArgs, type DeviceArray } from '../kernels/runner';
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
    const kernels = rowBlockKernels(runner, { n, d, keys: tile, causal: ctx.causal, streaming: true });
    return {
      run(qkv) {
        const { q } = qkvArgs(qkv);
        return streamingAttention(runner, kernels, q, tilesOf(qkv.k, qkv.v, n, d, tile));
      },
    };
  },
});

/** The key tiles, each as its own [tile x d] K and V. */
function* tilesOf(k: Float32Array, v: Float32Array, n: number, d: number, tile: number): Generator<{ k0: number; k: DeviceArray; v: DeviceArray }> {
  for (let k0 = 0; k0 < n; k0 += tile) {
    const rows = Math.min(tile, n - k0);
    yield { k0, k: hostMatrix(padRows(k, k0, rows, tile, d), d, tile), v: hostMatrix(padRows(v, k0, rows, tile, d), d, tile) };
  }
}

/** Rows t0 .. t0+rows-1 of a [n x d] array as a [tile x d] block (a view when no padding is needed). */
function padRows(a: Float32Array, t0: number, rows: number, tile: number, d: number): Float32Array {
  if (rows === tile) return a.subarray(t0 * d, (t0 + tile) * d);
  const out = new Float32Array(tile * d);
  out.set(a.subarray(t0 * d, (t0 + rows) * d));
  return out;
}
