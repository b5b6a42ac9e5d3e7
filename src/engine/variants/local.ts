import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { enumParam, type ParamSpecs, type ParamValuesOf } from '../../model/params';

import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/**
 * Local (block) attention, two of the conventions in use (VARIANTS.md 5a):
 * within = the query's own block (Liu et al.; T2T masked_within_block_local_attention_1d);
 * previous = its own block and the one before (T2T masked_local_attention_1d, Image Transformer).
 */
const params = {
  block: { kind: 'int', description: 'block length b', default: 32, min: 1, max: { text: 'N', at: (n: number) => n } },
  mode: enumParam({ description: 'within = own block; previous = own block and the one before (T2T local_mask_right)', default: 'within', choices: ['within', 'previous'] }),
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function firstBlock(ctx: Ctx, i: number): number {
  const own = Math.floor(i / ctx.params.block);
  return ctx.params.mode === 'previous' ? Math.max(0, own - 1) : own;
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  const b = ctx.params.block;
  if (ctx.causal && j > i) return false;
  const bj = Math.floor(j / b);
  return bj >= firstBlock(ctx, i) && bj <= Math.floor(i / b);
}

function rowCount(ctx: Ctx, i: number): number {
  const b = ctx.params.block;
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

function indexSets(ctx: Ctx): IndexSet[] {
  const b = ctx.params.block;
  const before = ctx.params.mode === 'previous' ? 1 : 0;
  return [{ rows: ctx.n, slots: (before + 1) * b, keyOf, constants: { b, before, n: ctx.n, causal: ctx.causal ? 1 : 0 } }];
}

export const local = defineVariant({
  id: 'local',
  name: 'Local attention (blocks)',
  family: 'sparse (block)',
  summary: 'each query sees its own block of b positions (mode within) or its own and the previous block (mode previous)',
  params,
  directions: 'both',
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
