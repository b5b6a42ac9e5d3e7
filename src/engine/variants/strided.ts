import { enumParam, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { mod } from './reference';
import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/**
 * Sparse Transformer, strided (Child et al. 2019), following openai/sparse_attention:
 * A1 = 0 <= i-j <= a-1 with a = l (code) or l+1 (paper), A2 = j <= i and (i-j) mod l = 0.
 * Bidirectional is the symmetric extension |i-j| <= a-1, (i-j) mod l = 0.
 */
const params = {
  stride: {
    kind: 'int',
    description: 'stride l (band width and step of the strided head)',
    default: { text: 'round(sqrt N)', at: (n: number) => Math.max(1, Math.round(Math.sqrt(n))) },
    min: 1,
    max: { text: 'N', at: (n: number) => n },
    dependsOnN: true,
  },
  pattern: enumParam({ description: 'which head: A1 (local), A2 (strided) or their union (one merged head)', default: 'union', choices: ['union', 'A1', 'A2'] }),
  convention: enumParam({ description: 'A1 width: code = l positions (openai/sparse_attention), paper = l+1', default: 'code', choices: ['code', 'paper'] }),
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

interface Strided {
  l: number;
  /** Width of the local band A1 (l for the code's convention, l+1 for the paper's). */
  a: number;
  useA1: boolean;
  useA2: boolean;
}

function settings(ctx: Ctx): Strided {
  const l = ctx.params.stride;
  return { l, a: ctx.params.convention === 'paper' ? l + 1 : l, useA1: ctx.params.pattern !== 'A2', useA2: ctx.params.pattern !== 'A1' };
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  const { l, a, useA1, useA2 } = settings(ctx);
  const delta = i - j;
  if (ctx.causal && delta < 0) return false;
  const inA1 = useA1 && Math.abs(delta) <= a - 1;
  const inA2 = useA2 && mod(delta, l) === 0;
  return inA1 || inA2;
}

function rowCount(ctx: Ctx, i: number): number {
  const { l, a, useA1, useA2 } = settings(ctx);
  const n = ctx.n;
  const band = useA1 ? Math.min(i, a - 1) + 1 + (ctx.causal ? 0 : Math.min(n - 1 - i, a - 1)) : 0;
  if (!useA2) return band;
  // Keys j = i - t*l (t >= 0) and, bidirectional, j = i + t*l; those inside the band are not counted twice.
  const before = Math.floor(i / l) + 1;
  const after = ctx.causal ? 0 : Math.floor((n - 1 - i) / l);
  if (!useA1) return before + after;
  const inBandBefore = Math.floor(Math.min(i, a - 1) / l) + 1;
  const inBandAfter = ctx.causal ? 0 : Math.floor(Math.min(n - 1 - i, a - 1) / l);
  return band + (before - inBandBefore) + (after - inBandAfter);
}

/**
 * Slots of row y: first the band (a slots causal, 2a-1 bidirectional), then the stride keys.
 * Causal stride keys are y - t*l for t >= tStart; bidirectional ones are (y mod l) + t*l.
 */
const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const l = this.constants.l;
  const a = this.constants.a;
  const band = this.constants.bandSlots;
  const n = this.constants.n;
  if (s < band) {
    let jb = y - s;
    if (this.constants.causal < 1) jb = y - this.constants.half + s;
    if (jb < 0 || jb >= n) return -1;
    return jb;
  }
  const t = s - band + this.constants.tStart;
  let j = y - t * l;
  if (this.constants.causal < 1) {
    j = y - l * Math.floor((y + 0.5) / l) + t * l;
    if (this.constants.useA1 > 0 && Math.abs(j - y) <= a - 1) return -1;
  }
  if (j < 0 || j >= n) return -1;
  return j;
});

function indexSets(ctx: Ctx): IndexSet[] {
  const { l, a, useA1, useA2 } = settings(ctx);
  const n = ctx.n;
  // Band half-width, clipped to the sequence: the band of row y is y - half .. y + half.
  const half = Math.min(a - 1, n - 1);
  const bandSlots = useA1 ? (ctx.causal ? Math.min(a, n) : 2 * half + 1) : 0;
  // Causal: with the band present, stride keys inside it (t*l <= a-1) are skipped.
  const tStart = ctx.causal && useA1 ? Math.floor((a - 1) / l) + 1 : 0;
  const strideSlots = !useA2 ? 0 : ctx.causal ? Math.max(0, Math.floor((n - 1) / l) - tStart + 1) : Math.ceil(n / l);
  return [
    {
      rows: n,
      slots: Math.max(1, bandSlots + strideSlots),
      keyOf,
      constants: { l, a, half, n, bandSlots, tStart, useA1: useA1 ? 1 : 0, causal: ctx.causal ? 1 : 0 },
    },
  ];
}

export const strided = defineVariant({
  id: 'strided',
  name: 'Sparse Transformer, strided',
  family: 'sparse (factorized)',
  summary: 'each query sees the previous l positions (A1) and every l-th position before it (A2); l = sqrt(N) gives O(N^1.5)',
  params,
  directions: 'both',
  directionNote: (causal) => (causal ? undefined : 'bidirectional = symmetric extension (|i-j| <= l-1 or (i-j) mod l = 0); the paper and code are causal'),
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
