import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveParams, type ParamValue } from '../src/core/params';
import { syntheticQkv, type Qkv } from '../src/core/qkv';
import { variantById } from '../src/core/variants/registry';
import type { VariantContext, VariantId } from '../src/core/variants/types';

/** Golden data: masks from the reference code and outputs of an independent float64 reference. */
export const GOLDEN_DIR = path.resolve(__dirname, 'golden');

/** The team's shared golden folder next to the checkout, when there is one. */
export const SHARED_GOLDEN_DIR = path.resolve(__dirname, '..', '..', 'shared', 'golden');

export function readGolden<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, name), 'utf8')) as T;
}

export function tokensOf(n: number): { id: number; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: (i * 7919) % 5003, text: `t${i}` }));
}

export function qkvOf(n: number, d: number, seed = 7): Qkv {
  return syntheticQkv(tokensOf(n), d, seed);
}

export function contextOf(id: VariantId, n: number, d: number, causal: boolean, given: Record<string, ParamValue> = {}): VariantContext {
  return { n, d, causal, seed: 7, params: resolveParams(id, variantById(id).params, given, n) };
}

/** The mask (or slot mask / support) of a variant as rows of 0/1, as the golden files hold it. */
export function maskMatrix(id: VariantId, ctx: VariantContext): number[][] {
  const variant = variantById(id);
  const cols = variant.maskColumns(ctx);
  return Array.from({ length: ctx.n }, (_, i) => Array.from({ length: cols }, (_, j) => (variant.allowed(ctx, i, j) ? 1 : 0)));
}

export function countOnes(m: number[][]): number {
  return m.reduce((a, row) => a + row.reduce((b, x) => b + x, 0), 0);
}

/** The test sizes of the issue: odd and even, tiny and past a thousand. */
export const SIZES = [1, 2, 17, 255, 1000];
export const HEAD_DIMS = [8, 64];

/** Parameter settings exercised beyond the defaults, per variant. */
export const EXTRA_PARAMS: Partial<Record<VariantId, Record<string, ParamValue>[]>> = {
  'full-streaming': [{ tile: 5 }],
  strided: [{ pattern: 'A1' }, { pattern: 'A2' }, { convention: 'paper', stride: 3 }],
  fixed: [{ block: 4, summary: 2 }],
  blockwise: [{ blocks: 3, shift: 0 }, { blocks: 3, shift: 2 }],
  sliding: [{ window: 3 }],
  dilated: [{ window: 3, dilation: 3 }],
  global: [{ window: 2, globals: '0,5,9' }],
  local: [{ block: 4, mode: 'previous' }],
  compressed: [{ kernel: 4, pool: 'conv' }],
  'transformer-xl': [{ segment: 4, memory: 6, sameLength: true }, { segment: 5, memory: 3, relpos: 'off' }],
  linear: [{ eps: 0.01 }],
  aft: [{ mode: 'simple' }, { mode: 'full' }, { mode: 'local', window: 3 }],
};
