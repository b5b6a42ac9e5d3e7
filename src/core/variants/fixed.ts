import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { maskVariant } from './mask-variant';
import type { VariantContext } from './types';

/**
 * Sparse Transformer, fixed (openai/sparse_attention blocksparse "fixed", DeepSpeed
 * FixedSparsityConfig with block 1): a query sees its own block of l positions and the last c
 * positions ("summary" columns) of every block. Causal: j <= i as well.
 */
function blockAndSummary(ctx: VariantContext): { l: number; c: number } {
  return { l: ctx.params.block as number, c: ctx.params.summary as number };
}

function allowed(ctx: VariantContext, i: number, j: number): boolean {
  const { l, c } = blockAndSummary(ctx);
  if (ctx.causal && j > i) return false;
  return Math.floor(i / l) === Math.floor(j / l) || j % l >= l - c;
}

function rowCount(ctx: VariantContext, i: number): number {
  const { l, c } = blockAndSummary(ctx);
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
  let j = -1;
  if (s < l) {
    j = blk * l + s;
    if (this.constants.causal > 0 && j > y) return -1;
  } else {
    const u = s - l;
    const b = Math.floor((u + 0.5) / c);
    if (b === blk) return -1;
    if (this.constants.causal > 0 && b > blk) return -1;
    j = b * l + l - c + (u - b * c);
  }
  if (j >= this.constants.n) return -1;
  return j;
});

export const fixed = maskVariant({
  id: 'fixed',
  name: 'Sparse Transformer, fixed',
  family: 'sparse (factorized)',
  summary: 'each query sees its own block of l positions and the last c positions of every (earlier) block',
  params: [
    {
      name: 'block',
      kind: 'int',
      description: 'block length l',
      default: { text: 'round(sqrt N)', at: (n) => Math.max(1, Math.round(Math.sqrt(n))) },
      min: 1,
      max: { text: 'N', at: (n) => n },
      dependsOnN: true,
    },
    {
      name: 'summary',
      kind: 'int',
      description: 'summary width c: the last c positions of each block are visible to later blocks',
      default: { text: 'max(1, floor(l/8))', at: (_n, p) => Math.max(1, Math.floor((p.block as number) / 8)) },
      min: 1,
      max: { text: 'l', at: (_n, p) => p.block as number },
      dependsOnN: true,
    },
  ],
  directions: 'both',
  directionNote: (causal) => (causal ? undefined : 'bidirectional as DeepSpeed: own block plus every summary column'),
  allowed,
  rowCount,
  indexSet: (ctx) => {
    const { l, c } = blockAndSummary(ctx);
    const blocks = Math.ceil(ctx.n / l);
    return { rows: ctx.n, slots: l + c * blocks, keyOf, constants: { l, c, n: ctx.n, causal: ctx.causal ? 1 : 0 } };
  },
});
