import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { mod, windowParam } from './common';
import { maskVariant } from './mask-variant';
import type { VariantContext } from './types';

/** Longformer dilated window: |i-j| <= dilation*w1 and (i-j) mod dilation = 0 (causal: 0 <= i-j). */
function wd(ctx: VariantContext): { w: number; dil: number } {
  return { w: ctx.params.window as number, dil: ctx.params.dilation as number };
}

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const dil = this.constants.dil;
  let j = y - s * dil;
  if (this.constants.causal < 1) j = y + (s - this.constants.w) * dil;
  if (j < 0 || j >= this.constants.n) return -1;
  return j;
});

export const dilated = maskVariant({
  id: 'dilated',
  name: 'Longformer dilated window',
  family: 'sparse (window)',
  summary: 'every dilation-th position within dilation*w1 on each side: the same cost as the window, a wider reach',
  params: [windowParam, { name: 'dilation', kind: 'int', description: 'dilation: the step between attended positions', default: 2, min: 1, max: 65536 }],
  directions: 'both',
  directionNote: () => undefined,
  allowed: (ctx, i, j) => {
    const { w, dil } = wd(ctx);
    const delta = i - j;
    if (ctx.causal && delta < 0) return false;
    return Math.abs(delta) <= dil * w && mod(delta, dil) === 0;
  },
  rowCount: (ctx, i) => {
    const { w, dil } = wd(ctx);
    return Math.min(w, Math.floor(i / dil)) + 1 + (ctx.causal ? 0 : Math.min(w, Math.floor((ctx.n - 1 - i) / dil)));
  },
  indexSet: (ctx) => {
    const { dil } = wd(ctx);
    const w = Math.min(wd(ctx).w, Math.floor((ctx.n - 1) / dil));
    return { rows: ctx.n, slots: ctx.causal ? w + 1 : 2 * w + 1, keyOf, constants: { w, dil, n: ctx.n, causal: ctx.causal ? 1 : 0 } };
  },
});
