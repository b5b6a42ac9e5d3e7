import { earlierInt, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';

import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/**
 * Sparse Transformer, fixed (openai/sparse_attention blocksparse "fixed", DeepSpeed
 * FixedSparsityConfig with block 1): a query sees its own block of l positions and the last c
 * positions ("summary" columns) of every block. Causal: j <= i as well.
 */
const params = {
  block: {
    kind: 'int',
    description: 'block length l',
    default: { text: 'round(sqrt N)', at: (n: number) => Math.max(1, Math.round(Math.sqrt(n))) },
    min: 1,
    max: { text: 'N', at: (n: number) => n },
    dependsOnN: true,
  },
  summary: {
    kind: 'int',
    description: 'summary width c: the last c positions of each block are visible to later blocks',
    default: { text: 'max(1, floor(l/8))', at: (_n: number, p) => Math.max(1, Math.floor(earlierInt(p, 'block') / 8)) },
    min: 1,
    max: { text: 'l', at: (_n: number, p) => earlierInt(p, 'block') },
    dependsOnN: true,
  },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function allowed(ctx: Ctx, i: number, j: number): boolean {
  const { block: l, summary: c } = ctx.params;
  if (ctx.causal && j > i) return false;
  return Math.floor(i / l) === Math.floor(j / l) || j % l >= l - c;
}

function rowCount(ctx: Ctx, i: number): number {
  const { block: l, summary: c } = ctx.params;
  const n = ctx.n;
  const blk = Math.floor(i / l);
  if (ctx.causal) return (i % l) + 1 + blk * c;
  const own = Math.min(n, (blk + 1) * l) - blk * l;
  // Summary columns of the other blocks that exist (the last block may be cut short by N).
  let others = 0;
  const blocks = Math.ceil(n / l);
  for (let b = 0; b < blocks; b++) {
    if (b === blk) continue;
    others += Math.max(0, Math.min(n, (b + 1) * l) - Math.max(b * l + l - c, b * l));
  }
  return own + others;
}

/** Slots: l for the own block, then c per block for the summary columns. */
const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const l = this.constants.l;
  const c = this.constants.c;
  const blk = Math.floor((y + 0.5) / l);
  if (s < l) {
    const own = blk * l + s;
    if (this.constants.causal > 0 && own > y) return -1;
    if (own >= this.constants.n) return -1;
    return own;
  }
  const u = s - l;
  const b = Math.floor((u + 0.5) / c);
  if (b === blk) return -1;
  if (this.constants.causal > 0 && b > blk) return -1;
  const j = b * l + l - c + (u - b * c);
  if (j >= this.constants.n) return -1;
  return j;
});

function indexSets(ctx: Ctx): IndexSet[] {
  const { block: l, summary: c } = ctx.params;
  const blocks = Math.ceil(ctx.n / l);
  return [{ rows: ctx.n, slots: l + c * blocks, keyOf, constants: { l, c, n: ctx.n, causal: ctx.causal ? 1 : 0 } }];
}

export const fixed = defineVariant({
  id: 'fixed',
  name: 'Sparse Transformer, fixed',
  family: 'sparse (factorized)',
  summary: 'each query sees its own block of l positions and the last c positions of every (earlier) block',
  params,
  directions: 'both',
  directionNote: (causal) => (causal ? undefined : 'bidirectional as DeepSpeed: own block plus every summary column'),
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
