import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexSet } from '../src/core/kernels/gather';
import { parsePositions } from '../src/core/params';
import { blockwise } from '../src/core/variants/blockwise';
import { dilated } from '../src/core/variants/dilated';
import { fixed } from '../src/core/variants/fixed';
import { full } from '../src/core/variants/full';
import { global } from '../src/core/variants/global';
import { local } from '../src/core/variants/local';
import type { MaskVariant } from '../src/core/variants/mask-variant';
import { sliding } from '../src/core/variants/sliding';
import { strided } from '../src/core/variants/strided';
import type { VariantContext } from '../src/core/variants/types';
import { EXTRA_PARAMS, contextOf } from './helpers';

/**
 * The kernels of a mask variant read key keyOf(y, s) for every slot s; that set must be exactly
 * the mask row, each key once (nothing counted twice, nothing missed). keyOf is plain JavaScript,
 * so it is evaluated here as the cpu backend evaluates it.
 */
function keysOfRow(set: IndexSet, y: number): number[] {
  const helpers = (set.helpers ?? []).join('\n');
  const keyOf = new Function(`${helpers}\n${set.keyOf}\nreturn keyOf;`)() as (this: unknown, y: number, s: number) => number;
  const keys: number[] = [];
  for (let s = 0; s < set.slots; s++) {
    const j = keyOf.call({ constants: set.constants }, y, s);
    if (j >= 0) keys.push(j);
  }
  return keys.sort((a, b) => a - b);
}

function maskRow(variant: MaskVariant, ctx: VariantContext, i: number): number[] {
  const row: number[] = [];
  for (let j = 0; j < ctx.n; j++) if (variant.allowed(ctx, i, j)) row.push(j);
  return row;
}

function* contexts(variant: MaskVariant): Generator<VariantContext> {
  for (const given of [{}, ...(EXTRA_PARAMS[variant.id] ?? [])]) {
    for (const causal of [true, false]) {
      for (let n = 1; n <= 40; n++) {
        let ctx: VariantContext;
        try {
          ctx = contextOf(variant.id, n, 8, causal, given);
        } catch {
          continue; // a setting that does not fit this small N (e.g. globals "0,5,9" at N = 4)
        }
        yield ctx;
      }
    }
  }
}

describe('kernel index sets equal the mask rows (N = 1..40, both directions, several parameters)', () => {
  for (const variant of [full, strided, fixed, blockwise, sliding, dilated, local]) {
    it(variant.id, () => {
      for (const ctx of contexts(variant)) {
        const set = variant.indexSet(ctx);
        for (let i = 0; i < ctx.n; i++) {
          assert.deepEqual(keysOfRow(set, i), maskRow(variant, ctx, i), `${JSON.stringify(ctx.params)} N=${ctx.n} ${ctx.causal ? 'causal' : 'bidir'} row ${i}`);
        }
      }
    });
  }

  it('global: band rows gather band + globals; global rows (their own pass) gather every visible key', () => {
    for (const ctx of contexts(global)) {
      const band = global.indexSet(ctx);
      const positions = parsePositions(ctx.params.globals as string);
      for (let i = 0; i < ctx.n; i++) {
        if (positions.includes(i)) {
          assert.equal(maskRow(global, ctx, i).length, ctx.causal ? i + 1 : ctx.n, `global row ${i} sees every visible key`);
        } else {
          assert.deepEqual(keysOfRow(band, i), maskRow(global, ctx, i), `${JSON.stringify(ctx.params)} N=${ctx.n} row ${i}`);
        }
      }
    }
  });
});
