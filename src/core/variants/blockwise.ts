import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { maskVariant } from './mask-variant';
import type { VariantContext } from './types';

/**
 * Blockwise self-attention (BlockBERT, Qiu et al. 2019): the sequence is padded to n blocks of
 * b = ceil(N/n) positions and block x of queries attends only to block (x + s) mod n of keys.
 * Padded keys are masked; a row whose key block is all padding is empty and gives 0.
 */
function geometry(ctx: VariantContext): { blocks: number; shift: number; b: number } {
  const blocks = ctx.params.blocks as number;
  return { blocks, shift: ctx.params.shift as number, b: Math.ceil(ctx.n / blocks) };
}

function keyBlockStart(ctx: VariantContext, i: number): number {
  const { blocks, shift, b } = geometry(ctx);
  return ((Math.floor(i / b) + shift) % blocks) * b;
}

function allowed(ctx: VariantContext, i: number, j: number): boolean {
  const { b } = geometry(ctx);
  if (ctx.causal && j > i) return false;
  const start = keyBlockStart(ctx, i);
  return j >= start && j < start + b;
}

function rowCount(ctx: VariantContext, i: number): number {
  const { b } = geometry(ctx);
  const start = keyBlockStart(ctx, i);
  const end = Math.min(ctx.n, start + b, ctx.causal ? i + 1 : Infinity);
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

export const blockwise = maskVariant({
  id: 'blockwise',
  name: 'Blockwise (BlockBERT)',
  family: 'sparse (block)',
  summary: 'n blocks of ceil(N/n) positions; block x attends only to block (x + shift) mod n: N^2/n pairs',
  params: [
    { name: 'blocks', kind: 'int', description: 'number of blocks n', default: 4, min: 1, max: { text: 'N', at: (n) => n } },
    { name: 'shift', kind: 'int', description: 'shift s of the block permutation (0 = within-block)', default: 1, min: 0, max: { text: 'n-1', at: (_n, p) => (p.blocks as number) - 1 } },
  ],
  directions: 'bidirectional-only',
  directionNote: (causal) =>
    causal ? 'BlockBERT is bidirectional only: causal here = mask and j <= i, an extension; rows whose key block lies ahead are empty and give 0' : undefined,
  allowed,
  rowCount,
  indexSet: (ctx) => {
    const { blocks, shift, b } = geometry(ctx);
    return { rows: ctx.n, slots: b, keyOf, constants: { b, blocks, shift, n: ctx.n, causal: ctx.causal ? 1 : 0 } };
  },
});
