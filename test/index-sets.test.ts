import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VARIANTS } from '../src/engine/variants/registry';
import type { PreparedVariant, Variant } from '../src/engine/variants/variant';
import { EXTRA_PARAMS, keysByQuery, prepare } from './helpers';

/**
 * The kernels of a gather variant read key keyOf(y, s) for every slot s of every row y of each
 * index set; the keys read for a query (in the last set that covers it) must be exactly its mask
 * row, each key once (nothing counted twice, nothing missed). keyOf and queryOf are plain
 * JavaScript, so they are evaluated here as the cpu backend evaluates them.
 */
function maskRow(run: PreparedVariant, i: number): number[] {
  const row: number[] = [];
  for (let j = 0; j < run.shape.n; j++) if (run.allowed(i, j)) row.push(j);
  return row;
}

function* runs(variant: Variant): Generator<PreparedVariant> {
  for (const given of [{}, ...(EXTRA_PARAMS[variant.id] ?? [])]) {
    for (const causal of [true, false]) {
      for (let n = 1; n <= 40; n++) {
        try {
          yield prepare(variant, n, 8, causal, given);
        } catch {
          continue; // a setting that does not fit this small N (e.g. globals "0,5,9" at N = 4)
        }
      }
    }
  }
}

describe('kernel index sets equal the mask rows (N = 1..40, both directions, several parameters)', () => {
  // Every variant whose kernels gather over index sets (the mask variants, and Transformer-XL over its support).
  const gathers = VARIANTS.filter((v) => prepare(v, 8, 8, true).indexSets() !== undefined);
  it('covers every variant computed as a gather', () => {
    assert.ok(gathers.length >= 7, gathers.map((v) => v.id).join(', '));
  });
  for (const variant of gathers) {
    it(variant.id, () => {
      for (const run of runs(variant)) {
        const keys = keysByQuery(run.indexSets() ?? [], run.shape.n);
        for (let i = 0; i < run.shape.n; i++) {
          assert.deepEqual(keys.get(i), maskRow(run, i), `${JSON.stringify(run.params)} N=${run.shape.n} ${run.shape.causal ? 'causal' : 'bidir'} row ${i}`);
        }
      }
    });
  }
});
