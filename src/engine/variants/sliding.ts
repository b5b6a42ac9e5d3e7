import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { windowParam } from './reference';
import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/** Longformer sliding window (allenai/longformer): |i-j| <= w1, causal 0 <= i-j <= w1. */
const params = { window: windowParam } satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function allowed(ctx: Ctx, i: number, j: number): boolean {
  const w = ctx.params.window;
  return ctx.causal ? i - j >= 0 && i - j <= w : Math.abs(i - j) <= w;
}

function rowCount(ctx: Ctx, i: number): number {
  const w = ctx.params.window;
  return Math.min(i, w) + 1 + (ctx.causal ? 0 : Math.min(ctx.n - 1 - i, w));
}

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  let j = y - s;
  if (this.constants.causal < 1) j = y - this.constants.w + s;
  if (j < 0 || j >= this.constants.n) return -1;
  return j;
});

function indexSets(ctx: Ctx): IndexSet[] {
  const w = Math.min(ctx.params.window, ctx.n - 1);
  return [{ rows: ctx.n, slots: ctx.causal ? w + 1 : 2 * w + 1, keyOf, constants: { w, n: ctx.n, causal: ctx.causal ? 1 : 0 } }];
}

export const sliding = defineVariant({
  id: 'sliding',
  name: 'Longformer sliding window',
  family: 'sparse (window)',
  summary: 'each query sees the w1 positions on each side (causal: the w1 before it): O(N w1)',
  params,
  directions: 'both',
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
