import { earlierInt, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import { denseAttention, denseAttentionBytes, rowBlockKernels, rowsOf } from '../kernels/row-blocks';
import { hostMatrix } from '../kernels/runner';
import { countPairs, softmaxReference, softmaxWeights } from './reference';
import { defineVariant, type VariantContext } from './variant';

/**
 * Blockwise self-attention (BlockBERT, Qiu et al. 2019): the sequence is padded to n blocks of
 * b = ceil(N/n) positions and block x of queries attends only to block (x + s) mod n of keys.
 * Padded keys are masked; a row whose key block is all padding is empty and gives 0.
 * Computed block by block: each query block against its one key block, as dense attention.
 */
const params = {
  blocks: { kind: 'int', description: 'number of blocks n', default: 4, min: 1, max: { text: 'N', at: (n: number) => n } },
  shift: {
    kind: 'int',
    description: 'shift s of the block permutation (0 = within-block)',
    default: 1,
    min: 0,
    max: { text: 'n-1', at: (_n: number, p) => earlierInt(p, 'blocks') - 1 },
  },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function blockSize(ctx: Ctx): number {
  return Math.ceil(ctx.n / ctx.params.blocks);
}

function keyBlockStart(ctx: Ctx, i: number): number {
  const b = blockSize(ctx);
  return ((Math.floor(i / b) + ctx.params.shift) % ctx.params.blocks) * b;
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  if (ctx.causal && j > i) return false;
  const start = keyBlockStart(ctx, i);
  return j >= start && j < start + blockSize(ctx);
}

function rowCount(ctx: Ctx, i: number): number {
  const start = keyBlockStart(ctx, i);
  const end = Math.min(ctx.n, start + blockSize(ctx), ctx.causal ? i + 1 : Infinity);
  return Math.max(0, end - start);
}

/** The query blocks with a key block they can see (causal: its first key at or before their last row). */
function blockPairs(ctx: Ctx): { q0: number; rows: number; k0: number; keys: number }[] {
  const b = blockSize(ctx);
  const pairs: { q0: number; rows: number; k0: number; keys: number }[] = [];
  for (let q0 = 0; q0 < ctx.n; q0 += b) {
    const k0 = keyBlockStart(ctx, q0);
    const rows = Math.min(b, ctx.n - q0);
    const keys = Math.min(b, ctx.n - k0);
    if (keys > 0 && (!ctx.causal || k0 <= q0 + rows - 1)) pairs.push({ q0, rows, k0, keys });
  }
  return pairs;
}

export const blockwise = defineVariant({
  id: 'blockwise',
  name: 'Blockwise (BlockBERT)',
  family: 'sparse (block)',
  summary: 'n blocks of ceil(N/n) positions; block x attends only to block (x + shift) mod n: N^2/n pairs',
  params,
  directions: 'bidirectional-only',
  directionNote: (causal) =>
    causal ? 'BlockBERT is bidirectional only: causal here = mask and j <= i, an extension; rows whose key block lies ahead are empty and give 0' : undefined,
  map: { type: 'mask', allowed },
  weights: softmaxWeights(allowed),
  cost(ctx) {
    const b = blockSize(ctx);
    const nnz = countPairs(ctx.n, (i) => rowCount(ctx, i));
    return { flops: nnz * (4 * ctx.d + 5), predictedBytes: blockPairs(ctx).length > 0 ? denseAttentionBytes(b, ctx.d, b) : 0, nnz };
  },
  reference: softmaxReference(allowed),
  plan(ctx, runner) {
    const { n, d } = ctx;
    const b = blockSize(ctx);
    const kernels = rowBlockKernels(runner, { rows: b, d, keys: b, causal: ctx.causal });
    return {
      async run(qkv) {
        // Query blocks with no visible key block (causal) are never computed: their rows stay 0.
        const out = new Float32Array(n * d);
        for (const { q0, rows, k0, keys } of blockPairs(ctx)) {
          const q = rowsOf(qkv.q, q0, rows, b, d);
          const span = { k: rowsOf(qkv.k, k0, keys, b, d), v: rowsOf(qkv.v, k0, keys, b, d), shift: k0 - q0, valid: keys };
          const block = await denseAttention(runner, kernels, q, span);
          out.set(block.data.subarray(0, rows * d), q0 * d);
        }
        return hostMatrix(out, d, n);
      },
    };
  },
});
