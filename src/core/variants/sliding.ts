import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { windowParam } from './common';
import { maskVariant } from './mask-variant';

/** Longformer sliding window (allenai/longformer): |i-j| <= w1, causal 0 <= i-j <= w1. */
const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  let j = y - s;
  if (this.constants.causal < 1) j = y - this.constants.w + s;
  if (j < 0 || j >= this.constants.n) return -1;
  return j;
});

export const sliding = maskVariant({
  id: 'sliding',
  name: 'Longformer sliding window',
  family: 'sparse (window)',
  summary: 'each query sees the w1 positions on each side (causal: the w1 before it): O(N w1)',
  params: [windowParam],
  directions: 'both',
  directionNote: () => undefined,
  allowed: (ctx, i, j) => {
    const w = ctx.params.window as number;
    return ctx.causal ? i - j >= 0 && i - j <= w : Math.abs(i - j) <= w;
  },
  rowCount: (ctx, i) => {
    const w = ctx.params.window as number;
    return Math.min(i, w) + 1 + (ctx.causal ? 0 : Math.min(ctx.n - 1 - i, w));
  },
  indexSet: (ctx) => {
    const w = Math.min(ctx.params.window as number, ctx.n - 1);
    return { rows: ctx.n, slots: ctx.causal ? w + 1 : 2 * w + 1, keyOf, constants: { w, n: ctx.n, causal: ctx.causal ? 1 : 0 } };
  },
});
