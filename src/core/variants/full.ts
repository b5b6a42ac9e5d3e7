import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { maskVariant } from './mask-variant';

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  if (this.constants.causal > 0 && s > y) return -1;
  return s;
});

/** Causal rows stop at their diagonal: the loops over keys do half the work. */
const slotLimit = kernelFunction('slotLimit', function (this: KernelThis, y: number): number {
  if (this.constants.causal > 0) return y + 1;
  return this.constants.slots;
});

export const full = maskVariant({
  id: 'full',
  name: 'Full softmax',
  family: 'exact',
  summary: 'softmax(QK^T/sqrt(d))V with the N x N scores materialized: the O(N^2) baseline',
  params: [],
  directions: 'both',
  directionNote: () => undefined,
  allowed: (ctx, i, j) => !ctx.causal || j <= i,
  rowCount: (ctx, i) => (ctx.causal ? i + 1 : ctx.n),
  // The scores and probabilities are N x N; the causal half is skipped in the arithmetic only.
  indexSet: (ctx) => ({ rows: ctx.n, slots: ctx.n, keyOf, slotLimit, dense: true, constants: { causal: ctx.causal ? 1 : 0 } }),
});
