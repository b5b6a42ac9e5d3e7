import { earlierInt, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';

import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/**
 * Blockwise self-attention (BlockBERT, Qiu et al. 2019): the sequence is padded to n blocks of
 * b = ceil(N/n) positions and block x of queries attends only to block (x + s) mod n of keys.
 * Padded keys are masked; a row whose key block is all padding is empty and gives 0.
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

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const b = this.constants.b;
  const blocks = this.constants.blocks;
  let keyBlock = Math.floor((y + 0.5) / b) + this.constants.shift;
  if (keyBlock >= blocks) keyBlock = keyBlock - blocks;
  const j = keyBlock * b + s;
  if (j >= this.constants.n) return -1;
  if (this.constants.causal > 0 && j > y) return -1;
  return j;
});

function indexSets(ctx: Ctx): IndexSet[] {
  const b = blockSize(ctx);
  return [{ rows: ctx.n, slots: b, keyOf, constants: { b, blocks: ctx.params.blocks, shift: ctx.params.shift, n: ctx.n, causal: ctx.causal ? 1 : 0 } }];
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
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
