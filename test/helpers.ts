import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IndexSet } from '../src/engine/kernels/gather';
import { nodePlatform } from '../src/engine/node/platform';
import { installPlatform } from '../src/engine/platform';
import { syntheticQkv, type Qkv } from '../src/engine/qkv';
import { variantById } from '../src/engine/variants/registry';
import type { PreparedVariant, Variant } from '../src/engine/variants/variant';
import { DEFAULTS, MIB } from '../src/model/limits';
import type { ParamValue } from '../src/model/params';
import type { VariantId } from '../src/model/variant-ids';

// The engine runs on Node's platform in every test.
installPlatform(nodePlatform);

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

/** A registered variant prepared for a run of n tokens (parameters resolved and checked). */
export function prepared(id: VariantId, n: number, d: number, causal: boolean, given: Record<string, ParamValue> = {}): PreparedVariant {
  return variantById(id).prepare({ n, d, causal, seed: 7 }, given);
}

/** Any variant (a registered one, or one a test defines) prepared the same way. */
export function prepare(variant: Variant, n: number, d: number, causal: boolean, given: Record<string, ParamValue> = {}): PreparedVariant {
  return variant.prepare({ n, d, causal, seed: 7 }, given);
}

/** The mask (or slot mask / support) of a variant as rows of 0/1, as the golden files hold it. */
export function maskMatrix(variant: PreparedVariant): number[][] {
  return Array.from({ length: variant.shape.n }, (_, i) => Array.from({ length: variant.maskColumns }, (_, j) => (variant.allowed(i, j) ? 1 : 0)));
}

export function countOnes(m: number[][]): number {
  return m.reduce((a, row) => a + row.reduce((b, x) => b + x, 0), 0);
}

/** The test sizes of the issue: odd and even, tiny and past a thousand. */
export const SIZES = [1, 2, 17, 255, 1000];
export const HEAD_DIMS = [8, 64];

/** Parameter settings exercised beyond the defaults, per variant. */
export const EXTRA_PARAMS: Partial<Record<string, Record<string, ParamValue>[]>> = {
  'full-streaming': [{ tile: 5 }],
  strided: [{ pattern: 'A1' }, { pattern: 'A2' }, { convention: 'paper', stride: 3 }],
  fixed: [{ block: 4, summary: 2 }],
  blockwise: [
    { blocks: 3, shift: 0 },
    { blocks: 3, shift: 2 },
  ],
  sliding: [{ window: 3 }],
  dilated: [{ window: 3, dilation: 3 }],
  global: [{ window: 2, globals: '0,5,9' }],
  local: [{ block: 4, mode: 'previous' }],
  compressed: [{ kernel: 4, pool: 'conv' }],
  'transformer-xl': [
    { segment: 4, memory: 6, sameLength: true },
    { segment: 5, memory: 3, relpos: 'off' },
  ],
  linear: [{ eps: 0.01 }],
  aft: [{ mode: 'simple' }, { mode: 'full' }, { mode: 'local', window: 3 }],
};

/** The run settings of the tests: the defaults, on cpu, with a time budget of 0 (the minimum of runs). */
export const TEST_SETTINGS = {
  ...DEFAULTS,
  backend: 'cpu',
  memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
  params: {},
  timeBudgetMs: 0,
} as const;

type KernelHelper = (this: unknown, ...args: number[]) => number;

function evaluate(set: IndexSet, name: 'keyOf' | 'queryOf', source: string): KernelHelper {
  const helpers = (set.helpers ?? []).join('\n');
  // Kernel helpers are plain JavaScript sources: evaluating them is what gpu.js's cpu backend does too.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const define = new Function(`${helpers}\n${source}\nreturn ${name};`) as () => KernelHelper;
  return define();
}

/**
 * Query -> the keys a gather variant's kernels read for it: keyOf and queryOf are plain
 * JavaScript, so they are evaluated here as the cpu backend evaluates them; a later index set
 * overwrites the rows of an earlier one.
 */
export function keysByQuery(sets: readonly IndexSet[], n: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const set of sets) {
    const keyOf = evaluate(set, 'keyOf', set.keyOf);
    const queryOf = set.queryOf ? evaluate(set, 'queryOf', set.queryOf) : (y: number) => y;
    for (let y = 0; y < set.rows; y++) {
      const keys: number[] = [];
      for (let s = 0; s < set.slots; s++) {
        const j = keyOf.call({ constants: set.constants }, y, s);
        if (j >= 0) keys.push(j);
      }
      const query = queryOf.call({ constants: set.constants }, y);
      assert.ok(query >= 0 && query < n, `row ${y} maps to query ${query}`);
      if (set.queries) assert.equal(set.queries[y], query, `the host knows row ${y} fills query ${query}`);
      out.set(
        query,
        keys.sort((a, b) => a - b),
      );
    }
  }
  return out;
}
