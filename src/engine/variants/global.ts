import { parsePositions, type ParamSpecs, type ParamValuesOf } from '../../model/params';
import type { IndexSet } from '../kernels/gather';
import { kernelFunction, type KernelThis } from '../kernels/kernel-fn';
import { windowParam } from './reference';
import { maskGather } from './mask-gather';
import { defineVariant, type VariantContext } from './variant';

/**
 * Longformer window + global tokens (allenai LongformerSelfAttention): a non-global row takes
 * one softmax over its band and the global keys (globals removed from the band so nothing counts
 * twice); a global row attends to every key. Same Q, K, V for both (Part A).
 * Computed as two gathers: all rows over band + global slots, then the global rows over all N
 * keys, whose outputs replace those rows.
 */
const params = {
  window: windowParam,
  globals: { kind: 'positions', description: 'positions of the global tokens, e.g. "0" for a [CLS] token', default: '0', maxCount: 64 },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

function globalsOf(ctx: Ctx): number[] {
  return ctx.memo('global positions', () => parsePositions(ctx.params.globals).sort((a, b) => a - b));
}

function inBand(ctx: Ctx, i: number, j: number): boolean {
  const w = ctx.params.window;
  return ctx.causal ? i - j >= 0 && i - j <= w : Math.abs(i - j) <= w;
}

function allowed(ctx: Ctx, i: number, j: number): boolean {
  if (ctx.causal && j > i) return false;
  const g = globalsOf(ctx);
  return inBand(ctx, i, j) || g.includes(i) || g.includes(j);
}

function rowCount(ctx: Ctx, i: number): number {
  const g = globalsOf(ctx);
  const w = ctx.params.window;
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

function indexSets(ctx: Ctx): IndexSet[] {
  const positions = globalsOf(ctx);
  const helpers = globalHelpers(positions);
  const w = Math.min(ctx.params.window, ctx.n - 1);
  const bandSlots = ctx.causal ? w + 1 : 2 * w + 1;
  const constants = { w, n: ctx.n, bandSlots, causal: ctx.causal ? 1 : 0 };
  const band: IndexSet = { rows: ctx.n, slots: bandSlots + positions.length, keyOf: bandKeyOf, helpers: [helpers.globalAt, helpers.isGlobal], constants };
  if (positions.length === 0) return [band];
  const globalRows: IndexSet = {
    rows: positions.length,
    slots: ctx.n,
    keyOf: globalRowKeyOf,
    queryOf: globalRowQueryOf,
    queries: positions,
    helpers: [helpers.globalAt],
    constants,
  };
  return [band, globalRows];
}

export const global = defineVariant({
  id: 'global',
  name: 'Longformer window + global tokens',
  family: 'sparse (window + global)',
  summary: 'sliding window plus global tokens that see and are seen by every position: O(N (2 w1 + 1 + 2g))',
  params,
  directions: 'both',
  directionNote: (causal) => (causal ? 'causal with global tokens is an extension ((band or global) and j <= i); the reference is bidirectional' : undefined),
  ...maskGather<typeof params>({ allowed, rowCount, indexSets }),
});
