import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KernelRunner } from '../src/engine/kernels/runner';
import { relativeFrobenius } from '../src/engine/measure';
import { nodePlatform } from '../src/engine/node/platform';
import { VARIANTS } from '../src/engine/variants/registry';
import type { ParamValue } from '../src/model/params';
import type { VariantId } from '../src/model/variant-ids';
import { EXTRA_PARAMS, prepare, prepared, qkvOf, readGolden } from './helpers';

interface GoldenOutputs {
  n: number;
  d: number;
  q: number[][];
  k: number[][];
  v: number[][];
  entries: Array<{ variant: VariantId; causal: boolean; params: Record<string, ParamValue>; output: number[][] }>;
}

const golden = readGolden<GoldenOutputs>('outputs_n37_d8.json');
const goldenQkv = {
  n: golden.n,
  d: golden.d,
  q: Float32Array.from(golden.q.flat()),
  k: Float32Array.from(golden.k.flat()),
  v: Float32Array.from(golden.v.flat()),
};

describe('outputs of an independent float64 reference (N = 37, d = 8)', () => {
  it('covers all 14 variants', () => {
    assert.deepEqual(new Set(golden.entries.map((e) => e.variant)), new Set(VARIANTS.map((v) => v.id)));
  });
  for (const e of golden.entries) {
    it(`${e.variant} ${e.causal ? 'causal' : 'bidirectional'} ${JSON.stringify(e.params)}: our reference and our cpu kernels agree with it`, async () => {
      const run = prepared(e.variant, golden.n, golden.d, e.causal, e.params);
      const expected = e.output.flat();
      const rows = Array.from({ length: golden.n }, (_, i) => i);
      assert.ok(relativeFrobenius(run.reference(goldenQkv, rows), expected) <= 1e-6, 'float64 reference');
      const runner = new KernelRunner(nodePlatform.createGpu('cpu'), 'cpu');
      const out = await run.plan(runner).run(goldenQkv);
      runner.dispose();
      assert.ok(relativeFrobenius(out.data, expected) <= 1e-4, 'cpu kernels');
    });
  }
});

describe('effective weights', () => {
  const n = 40;
  const qkv = qkvOf(n, 8);
  for (const variant of VARIANTS) {
    for (const causal of [true, false]) {
      if (variant.directions === 'causal-only' && !causal) continue;
      for (const params of [{}, ...(EXTRA_PARAMS[variant.id] ?? [])]) {
        it(`${variant.id} ${causal ? 'causal' : 'bidirectional'} ${JSON.stringify(params)}: rows are distributions on the support, no NaN`, () => {
          const run = prepare(variant, n, 8, causal, params);
          for (let i = 0; i < n; i++) {
            const w = run.rowWeights(qkv, i);
            assert.equal(w.length, n);
            assert.ok(
              w.every((x) => Number.isFinite(x) && x >= 0),
              `row ${i}: NaN or negative weight`,
            );
            const sum = w.reduce((a, b) => a + b, 0);
            if (variant.maskType === 'mask' || variant.maskType === 'effective_support') {
              for (let j = 0; j < n; j++) if (w[j] > 0) assert.ok(run.allowed(i, j), `row ${i}: weight outside the support at ${j}`);
            }
            if (sum === 0) {
              assert.ok(variant.id === 'blockwise' && causal, `row ${i} is empty`);
              continue;
            }
            if (variant.id === 'linear') {
              // Rows sum to 1 - eps/(den + eps).
              assert.ok(sum < 1 && sum > 1 - 1e-2, `linear row ${i} sums to ${sum}`);
            } else {
              assert.ok(Math.abs(sum - 1) < 1e-9, `row ${i} sums to ${sum}`);
            }
          }
        });
      }
    }
  }

  it('blockwise forced causal: rows whose key block lies ahead are empty and their output is 0, not NaN', async () => {
    const run = prepared('blockwise', 16, 8, true, { blocks: 4, shift: 1 });
    const q16 = qkvOf(16, 8);
    const runner = new KernelRunner(nodePlatform.createGpu('cpu'), 'cpu');
    const out = await run.plan(runner).run(q16);
    runner.dispose();
    // Blocks of 4, shift 1: blocks 0-2 attend to the next block (all ahead: empty rows);
    // block 3 wraps around to block 0 (behind it: a normal row).
    for (let i = 0; i < 16; i++) {
      const row = out.data.subarray(i * 8, (i + 1) * 8);
      const weights = run.rowWeights(q16, i);
      if (i < 12) {
        assert.ok(
          row.every((x) => x === 0),
          `row ${i} output is 0`,
        );
        assert.ok(
          weights.every((x) => x === 0),
          `row ${i} weights are 0`,
        );
      } else {
        assert.ok(row.some((x) => x !== 0) && row.every(Number.isFinite), `row ${i} is a normal row`);
      }
    }
  });
});

describe('AFT reference with keys spread far apart', () => {
  it('gives each row the weights exp(K + w) normalised over its support, where the factored exponentials underflow', () => {
    // Channel 0: key 3 is 2000 above the others, so e^(K - max K) underflows for every key a causal
    // row before 3 sees; the reference must fall back to the row's own maximum there.
    const n = 6;
    const d = 4;
    const qkv = qkvOf(n, d);
    const k = Float32Array.from(qkv.k);
    for (let t = 0; t < n; t++) k[t * d] = t === 3 ? 1000 : -1000 + t;
    const spread = { ...qkv, k };
    const run = prepared('aft', n, d, true, { mode: 'simple' });
    const rows = Array.from({ length: n }, (_, i) => i);
    const out = run.reference(spread, rows);
    assert.ok(out.every(Number.isFinite), 'no NaN or infinity');
    for (const t of rows) {
      // Channel 0 of row t: softmax of K[.][0] over t' <= t against V, gated by sigmoid(Q).
      const logits = rows.filter((tp) => tp <= t).map((tp) => k[tp * d] ?? 0);
      const top = Math.max(...logits);
      const e = logits.map((x) => Math.exp(x - top));
      const z = e.reduce((a, b) => a + b, 0);
      const expected = e.reduce((acc, x, tp) => acc + (x / z) * (spread.v[tp * d] ?? 0), 0) / (1 + Math.exp(-(spread.q[t * d] ?? 0)));
      assert.ok(Math.abs((out[t * d] ?? NaN) - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `row ${t}: ${out[t * d]} vs ${expected}`);
    }
  });
});
