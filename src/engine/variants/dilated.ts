import { LIMITS } from '../../model/limits';
import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { mod, windowParam } from './reference';
import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/** Longformer dilated window: |i-j| <= dilation*w1 and (i-j) mod dilation = 0 (causal: 0 <= i-j). */
const params = {
  window: windowParam,
  dilation: { kind: 'int', description: 'dilation: the step between attended positions', default: 2, min: 1, max: LIMITS.maxTokens },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function allowed(ctx: Ctx, i: number, j: number): boolean {
  const { window: w, dilation } = ctx.params;
  const delta = i - j;
  if (ctx.causal && delta < 0) return false;
  return Math.abs(delta) <= dilation * w && mod(delta, dilation) === 0;
}

function rowCount(ctx: Ctx, i: number): number {
  const { window: w, dilation } = ctx.params;
  return Math.min(w, Math.floor(i / dilation)) + 1 + (ctx.causal ? 0 : Math.min(w, Math.floor((ctx.n - 1 - i) / dilation)));
}

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const dil = this.constants.dil;
  let j = y - s * dil;
  if (this.constants.causal < 1) j = y + (s - this.constants.w) * dil;
  if (j < 0 || j >= this.constants.n) return -1;
  return j;
});

function indexSets(ctx: Ctx): IndexSet[] {
  const dil = ctx.params.dilation;
  const w = Math.min(ctx.params.window, Math.floor((ctx.n - 1) / dil));
  return [{ rows: ctx.n, slots: ctx.causal ? w + 1 : 2 * w + 1, keyOf, constants: { w, dil, n: ctx.n, causal: ctx.causal ? 1 : 0 } }];
}

export const dilated = defineVariant({
  id: 'dilated',
  name: 'Longformer dilated window',
  family: 'sparse (window)',
  summary: 'every dilation-th position within dilation*w1 on each side: the same cost as the window, a wider reach',
  params,
  directions: 'both',
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
