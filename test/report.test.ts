import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, ExactBaseline, measureVariant, profile } from '../src/core/profile';
import { alternateQkv, syntheticQkv } from '../src/core/qkv';
import { reportJsonSchema, reportSchema, sweepJsonSchema } from '../src/core/report';
import type { Variant } from '../src/core/variants/types';
import { variantById } from '../src/core/variants/registry';

const SCHEMA_DOC = path.resolve(__dirname, '..', 'docs', 'report.schema.json');
const SWEEP_SCHEMA_DOC = path.resolve(__dirname, '..', 'docs', 'sweep.schema.json');

describe('report schema', () => {
  it('docs/report.schema.json and docs/sweep.schema.json are the schemas the code validates with (regenerate: npm run schema)', () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(SCHEMA_DOC, 'utf8')), JSON.parse(JSON.stringify(reportJsonSchema())));
    assert.deepEqual(JSON.parse(fs.readFileSync(SWEEP_SCHEMA_DOC, 'utf8')), JSON.parse(JSON.stringify(sweepJsonSchema())));
  });

  it('a profile run produces a valid report with one result per variant asked for', async () => {
    const report = await profile({
      ...DEFAULT_SETTINGS,
      input: { kind: 'text', text: 'to be or not to be that is the question', tokenizer: 'whitespace', source: 'text' },
      variants: ['full', 'local', 'aft'],
      backend: 'cpu',
      params: { local: { block: 4 } },
      d: 16,
      timeBudgetMs: 0,
      mapSize: 8,
    });
    reportSchema.parse(report);
    assert.deepEqual(report.variants.map((v) => v.id), ['full', 'local', 'aft']);
    assert.equal(report.input.n, 10);
    assert.deepEqual(report.variants.find((v) => v.id === 'local')!.params, { block: 4, mode: 'within' });
    const map = report.variants[1]!.map!;
    assert.deepEqual([map.kind, map.rows, map.cols], ['mask', 8, 8]);
    assert.ok(report.variants.every((v) => v.status === 'ok'));
    assert.equal(report.backend.probes.find((p) => p.backend === 'cpu')!.ok, true);
  });
});

function measureAlone(variant: Variant, n: number, d: number) {
  const ctx = { n, d, causal: true, seed: 1, params: { window: 2 } };
  const qkv = syntheticQkv(Array.from({ length: n }, (_, i) => ({ id: i, text: String(i) })), d, 1);
  const rows = Array.from({ length: n }, (_, i) => i);
  return measureVariant(variant, ctx, {
    qkv,
    alternate: alternateQkv(qkv),
    rows,
    exact: new ExactBaseline(qkv, true, rows),
    selection: { requested: 'cpu', selected: 'cpu', probes: [], device: '', threads: 1 },
    timing: { warmups: 2, minRuns: 5, maxRuns: 50, budgetMs: 0 },
    memoryBudgetBytes: DEFAULT_SETTINGS.memoryBudgetBytes,
    gateTolerance: DEFAULT_SETTINGS.gateTolerance,
    mapSize: 0,
    hooks: {},
    progress: () => {},
  });
}

describe('a variant that fails', () => {
  it('is reported with its reason, not timed', async () => {
    const broken: Variant = { ...variantById('sliding'), plan: () => ({ run: () => Promise.reject(new Error('kernel exploded')) }) };
    const result = await measureAlone(broken, 5, 4);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'cpu: kernel exploded');
    assert.equal(result.time, undefined);
  });

  it('fails the correctness gate when its kernels compute the wrong numbers', async () => {
    const wrong: Variant = {
      ...variantById('sliding'),
      plan: () => ({ run: async (qkv) => ({ data: new Float32Array(qkv.n * qkv.d).fill(7), width: qkv.d, height: qkv.n, rank: 2 as const }) }),
    };
    const result = await measureAlone(wrong, 5, 4);
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, /output differs from the float64 reference on cpu: relative error .* > 0.0001 \(5 rows\); not timed/u);
    assert.equal(result.time, undefined);
    assert.equal(result.check!.passed, false);
  });

  it('a correct variant measured the same way passes the gate and is timed', async () => {
    const result = await measureAlone(variantById('sliding'), 5, 4);
    assert.equal(result.status, 'ok');
    assert.ok(result.time!.runs >= 5);
  });
});
