import type { ParamSpecs, ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/** Full softmax attention: the N x N scores materialized, the O(N^2) baseline. */
const params = {} satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

const allowed = (ctx: Ctx, i: number, j: number): boolean => !ctx.causal || j <= i;

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  if (this.constants.causal > 0 && s > y) return -1;
  return s;
});

/** Causal rows stop at their diagonal: the loops over keys do half the work. */
const slotLimit = kernelFunction('slotLimit', function (this: KernelThis, y: number): number {
  if (this.constants.causal > 0) return y + 1;
  return this.constants.slots;
});

// The scores and probabilities are N x N; the causal half is skipped in the arithmetic only.
const indexSets = (ctx: Ctx): IndexSet[] => [{ rows: ctx.n, slots: ctx.n, keyOf, slotLimit, dense: true, constants: { causal: ctx.causal ? 1 : 0 } }];

export const full = defineVariant({
  id: 'full',
  name: 'Full softmax',
  family: 'exact',
  summary: 'softmax(QK^T/sqrt(d))V with the N x N scores materialized: the O(N^2) baseline',
  params,
  exactAttention: true,
  directions: 'both',
  ...maskGather<typeof params>({ allowed, rowCount: (ctx, i) => (ctx.causal ? i + 1 : ctx.n), indexSets }),
});
