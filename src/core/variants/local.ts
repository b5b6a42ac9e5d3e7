import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { maskVariant } from './mask-variant';
import type { VariantContext } from './types';

/**
 * Local (block) attention, two of the conventions in use (VARIANTS.md 5a):
 * within = the query's own block (Liu et al.; T2T masked_within_block_local_attention_1d);
 * previous = its own block and the one before (T2T masked_local_attention_1d, Image Transformer).
 */
function firstBlock(ctx: VariantContext, i: number): number {
  const b = ctx.params.block as number;
  const own = Math.floor(i / b);
  return ctx.params.mode === 'previous' ? Math.max(0, own - 1) : own;
}

function allowed(ctx: VariantContext, i: number, j: number): boolean {
  const b = ctx.params.block as number;
  if (ctx.causal && j > i) return false;
  const bj = Math.floor(j / b);
  return bj >= firstBlock(ctx, i) && bj <= Math.floor(i / b);
}

function rowCount(ctx: VariantContext, i: number): number {
  const b = ctx.params.block as number;
  const start = firstBlock(ctx, i) * b;
  const end = ctx.causal ? i + 1 : Math.min(ctx.n, (Math.floor(i / b) + 1) * b);
  return end - start;
}

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const b = this.constants.b;
  const j = (Math.floor((y + 0.5) / b) - this.constants.before) * b + s;
  if (j < 0 || j >= this.constants.n) return -1;
  if (this.constants.causal > 0 && j > y) return -1;
  return j;
});

export const local = maskVariant({
  id: 'local',
  name: 'Local attention (blocks)',
  family: 'sparse (block)',
  summary: 'each query sees its own block of b positions (mode within) or its own and the previous block (mode previous)',
  params: [
    { name: 'block', kind: 'int', description: 'block length b', default: 32, min: 1, max: { text: 'N', at: (n) => n } },
    { name: 'mode', kind: 'enum', description: 'within = own block; previous = own block and the one before (T2T local_mask_right)', default: 'within', choices: ['within', 'previous'] },
  ],
  directions: 'both',
  directionNote: () => undefined,
  allowed,
  rowCount,
  indexSet: (ctx) => {
    const b = ctx.params.block as number;
    const before = ctx.params.mode === 'previous' ? 1 : 0;
    return { rows: ctx.n, slots: (before + 1) * b, keyOf, constants: { b, before, n: ctx.n, causal: ctx.causal ? 1 : 0 } };
  },
});
