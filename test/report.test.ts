import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactBaseline, measureVariant } from '../src/engine/measure-variant';
import { profile } from '../src/engine/profile';
import { alternateQkv, syntheticQkv } from '../src/engine/qkv';
import { variantById } from '../src/engine/variants/registry';
import type { Variant } from '../src/engine/variants/variant';
import { DEFAULTS, MIB } from '../src/model/limits';
import { reportSchema } from '../src/model/report';
import { TEST_SETTINGS } from './helpers';
import { WallClock } from '../src/engine/wall-clock';

describe('report schema', () => {
  it('a profile run produces a valid report with one result per variant asked for', async () => {
    const report = await profile({
      ...TEST_SETTINGS,
      input: { kind: 'text', text: 'to be or not to be that is the question', source: 'text' },
      tokenizer: 'whitespace',
      variants: ['full', 'local', 'aft'],
      params: { local: { block: 4 } },
      d: 16,
      mapSize: 8,
    });
    reportSchema.parse(report);
    assert.deepEqual(
      report.variants.map((v) => v.id),
      ['full', 'local', 'aft'],
    );
    assert.equal(report.input.n, 10);
    assert.deepEqual(report.variants.find((v) => v.id === 'local')!.params, { block: 4, mode: 'within' });
    const map = report.variants[1].map!;
    assert.deepEqual([map.kind, map.rows, map.cols], ['mask', 8, 8]);
    assert.ok(report.variants.every((v) => v.status === 'ok'));
    assert.equal(report.backend.probes.find((p) => p.backend === 'cpu')!.ok, true);
  });
});

/** A variant whose prepared runs have other kernels than the registered one's. */
function withPlan(variant: Variant, plan: ReturnType<ReturnType<Variant['prepare']>['plan']>): Variant {
  return { ...variant, prepare: (shape, given) => ({ ...variant.prepare(shape, given), plan: () => plan }) };
}

function measureAlone(variant: Variant, n: number, d: number) {
  const run = variant.prepare({ n, d, causal: true, seed: 1 }, { window: 2 });
  const qkv = syntheticQkv(
    Array.from({ length: n }, (_, i) => ({ id: i, text: String(i) })),
    d,
    1,
  );
  const rows = Array.from({ length: n }, (_, i) => i);
  return measureVariant(run, {
    qkv,
    alternate: alternateQkv(qkv),
    rows,
    exact: new ExactBaseline(qkv, true, rows, new WallClock()),
    selection: { requested: 'cpu', selected: 'cpu', lane: 'worker', probes: [], device: '', threads: 1 },
    timing: { warmups: 2, minRuns: 5, maxRuns: 50, budgetMs: 0 },
    memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
    gateTolerance: DEFAULTS.gateTolerance,
    mapSize: 0,
    clock: new WallClock(),
    shouldCancel: () => false,
    progress: () => {},
  });
}

describe('a variant that fails', () => {
  it('is reported with its reason, not timed', async () => {
    const broken = withPlan(variantById('sliding'), { run: () => Promise.reject(new Error('kernel exploded')) });
    const result = await measureAlone(broken, 5, 4);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'cpu: kernel exploded');
    assert.equal(result.time, undefined);
  });

  it('fails the correctness gate when its kernels compute the wrong numbers', async () => {
    const wrong = withPlan(variantById('sliding'), {
      run: (qkv) => Promise.resolve({ data: new Float32Array(qkv.n * qkv.d).fill(7), width: qkv.d, height: qkv.n, rank: 2 as const }),
    });
    const result = await measureAlone(wrong, 5, 4);
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, /output differs from the float64 reference on cpu: relative error .* > 0.0001 \(5 rows\); not timed/u);
    assert.equal(result.time, undefined);
    assert.equal(result.check!.passed, false);
  });

  it("an allocation that fails is that variant's failure, named as running out of memory, and the run goes on", async () => {
    const hungry = withPlan(variantById('sliding'), { run: () => Promise.reject(new RangeError('Array buffer allocation failed')) });
    const result = await measureAlone(hungry, 5, 4);
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, /^cpu: out of memory while allocating the kernels' arrays \(Array buffer allocation failed\); the next variants still run/u);
    const next = await measureAlone(variantById('sliding'), 5, 4);
    assert.equal(next.status, 'ok');
  });

  it('a correct variant measured the same way passes the gate and is timed', async () => {
    const result = await measureAlone(variantById('sliding'), 5, 4);
    assert.equal(result.status, 'ok');
    assert.ok(result.time!.runs >= 5);
  });
});
