import { GatherAttention, gatherCost, qkvArgs, type IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-this';
import { parsePositions } from '../params';
import { windowParam } from './common';
import { maskVariant } from './mask-variant';
import type { VariantContext } from './types';

/**
 * Longformer window + global tokens (allenai LongformerSelfAttention): a non-global row takes
 * one softmax over its band and the global keys (globals removed from the band so nothing counts
 * twice); a global row attends to every key. Same Q, K, V for both (Part A).
 * Computed as two gathers: all rows over band + global slots, then the global rows over all N
 * keys, whose outputs replace those rows.
 */
const positionsCache = new WeakMap<VariantContext, number[]>();

function globalsOf(ctx: VariantContext): number[] {
  let positions = positionsCache.get(ctx);
  if (!positions) {
    positions = parsePositions(ctx.params.globals as string).sort((a, b) => a - b);
    positionsCache.set(ctx, positions);
  }
  return positions;
}

function inBand(ctx: VariantContext, i: number, j: number): boolean {
  const w = ctx.params.window as number;
  return ctx.causal ? i - j >= 0 && i - j <= w : Math.abs(i - j) <= w;
}

function allowed(ctx: VariantContext, i: number, j: number): boolean {
  if (ctx.causal && j > i) return false;
  const g = globalsOf(ctx);
  return inBand(ctx, i, j) || g.includes(i) || g.includes(j);
}

function rowCount(ctx: VariantContext, i: number): number {
  const g = globalsOf(ctx);
  const w = ctx.params.window as number;
  const limit = ctx.causal ? i + 1 : ctx.n;
  if (g.includes(i)) return limit;
  const lo = Math.max(0, i - w);
  const hi = ctx.causal ? i : Math.min(ctx.n - 1, i + w);
  const globalsVisible = g.filter((p) => p < limit);
  const globalsInBand = globalsVisible.filter((p) => p >= lo && p <= hi).length;
  return hi - lo + 1 + globalsVisible.length - globalsInBand;
}

/** gpu.js kernels take numbers, not lists: the positions are written into the helpers' source. */
function globalHelpers(positions: readonly number[]): { globalAt: string; isGlobal: string } {
  // Float literals ("3.0"): GLSL does not compare or return ints where floats are expected.
  const at = positions.map((p, t) => `  if (t == ${t}.0) return ${p}.0;`).join('\n');
  const is = positions.map((p) => `  if (j == ${p}.0) return 1.0;`).join('\n');
  return {
    globalAt: `function globalAt(t) {\n${at}\n  return -1.0;\n}`,
    isGlobal: `function isGlobal(j) {\n${is}\n  return 0.0;\n}`,
  };
}

declare function globalAt(t: number): number;
declare function isGlobal(j: number): number;

/** All rows: band slots first (globals skipped there), then one slot per global token. */
const bandKeyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const band = this.constants.bandSlots;
  if (s < band) {
    let j = y - s;
    if (this.constants.causal < 1) j = y - this.constants.w + s;
    if (j < 0 || j >= this.constants.n) return -1;
    if (isGlobal(j) > 0) return -1;
    return j;
  }
  const jg = globalAt(s - band);
  if (this.constants.causal > 0 && jg > y) return -1;
  return jg;
});

/** Global rows: row y is the y-th global token and sees every key (up to itself when causal). */
const globalRowKeyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const i = globalAt(y);
  if (this.constants.causal > 0 && s > i) return -1;
  return s;
});

const globalRowQueryOf = kernelFunction('queryOf', function (y: number): number {
  return globalAt(y);
});

function indexSets(ctx: VariantContext): { band: IndexSet; globalRows: IndexSet | undefined; positions: number[] } {
  const positions = globalsOf(ctx);
  const helpers = globalHelpers(positions);
  const w = Math.min(ctx.params.window as number, ctx.n - 1);
  const bandSlots = ctx.causal ? w + 1 : 2 * w + 1;
  const constants = { w, n: ctx.n, bandSlots, causal: ctx.causal ? 1 : 0 };
  const band: IndexSet = {
    rows: ctx.n,
    slots: bandSlots + positions.length,
    keyOf: bandKeyOf,
    helpers: [helpers.globalAt, helpers.isGlobal],
    constants,
  };
  const globalRows: IndexSet | undefined =
    positions.length === 0
      ? undefined
      : { rows: positions.length, slots: ctx.n, keyOf: globalRowKeyOf, queryOf: globalRowQueryOf, helpers: [helpers.globalAt], constants };
  return { band, globalRows, positions };
}

export const global = maskVariant({
  id: 'global',
  name: 'Longformer window + global tokens',
  family: 'sparse (window + global)',
  summary: 'sliding window plus global tokens that see and are seen by every position: O(N (2 w1 + 1 + 2g))',
  params: [
    windowParam,
    { name: 'globals', kind: 'positions', description: 'positions of the global tokens, e.g. "0" for a [CLS] token', default: '0', maxCount: 64 },
  ],
  directions: 'both',
  directionNote: (causal) => (causal ? 'causal with global tokens is an extension ((band or global) and j <= i); the reference is bidirectional' : undefined),
  allowed,
  rowCount,
  indexSet: (ctx) => indexSets(ctx).band,
  predictedBytes: (ctx) => {
    const { band, globalRows } = indexSets(ctx);
    const bandBytes = gatherCost(band.rows, band.slots, 0, ctx.d).predictedBytes;
    return Math.max(bandBytes, globalRows ? gatherCost(globalRows.rows, globalRows.slots, 0, ctx.d).predictedBytes : 0);
  },
  plan: (ctx, runner) => {
    const { band, globalRows, positions } = indexSets(ctx);
    const bandPass = new GatherAttention(runner, band, ctx.d);
    const globalPass = globalRows ? new GatherAttention(runner, globalRows, ctx.d) : undefined;
    return {
      async run(qkv) {
        const { q, k, v } = qkvArgs(qkv);
        const out = await bandPass.run(q, k, v);
        if (globalPass) {
          const rows = await globalPass.run(q, k, v);
          positions.forEach((p, r) => out.data.set(rows.data.subarray(r * ctx.d, (r + 1) * ctx.d), p * ctx.d));
        }
        return out;
      },
    };
  },
});
