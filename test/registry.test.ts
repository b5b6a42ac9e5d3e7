import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatedFiles } from '../scripts/generated';
import { configurationContribution } from '../scripts/settings-schema';
import { catalogOf } from '../src/engine/catalog';
import type { IndexSet } from '../src/engine/kernels/gather';
import { kernelFunction, type KernelThis } from '../src/engine/kernels/kernel-fn';
import { ExactBaseline, measureVariant } from '../src/engine/measure-variant';
import { nodePlatform } from '../src/engine/node/platform';
import { alternateQkv } from '../src/engine/qkv';
import { maskGather } from '../src/engine/variants/mask-gather';
import { VARIANTS } from '../src/engine/variants/registry';
import { defineVariant, type VariantContext } from '../src/engine/variants/variant';
import { DEFAULTS, MIB } from '../src/model/limits';
import type { ParamSpecs, ParamValuesOf } from '../src/model/params';
import { VARIANT_IDS } from '../src/model/variant-ids';
import { casesOf, checkCase } from './kernel-suite';
import { keysByQuery, prepare, qkvOf } from './helpers';
import { WallClock } from '../src/engine/wall-clock';

/**
 * A variant written the way a contributor would add one: one definition (here, in the test), one
 * line in a registry. "Lag" attention: query i sees the keys i - lag .. i. Nothing else names it;
 * the checks below find it through the registry alone.
 */
const params = {
  lag: { kind: 'int', description: 'how many earlier keys a query sees', default: 2, min: 0, max: { text: 'N', at: (n: number) => n } },
} as const satisfies ParamSpecs;
type Ctx = VariantContext<ParamValuesOf<typeof params>>;

const allowed = (ctx: Ctx, i: number, j: number): boolean => j <= i && j >= i - ctx.params.lag;

const keyOf = kernelFunction('keyOf', function (this: KernelThis, y: number, s: number): number {
  const j = y - s;
  if (j < 0) return -1;
  return j;
});

const indexSets = (ctx: Ctx): IndexSet[] => [{ rows: ctx.n, slots: Math.min(ctx.params.lag, ctx.n - 1) + 1, keyOf, constants: {} }];

const lag = defineVariant({
  id: 'test-lag',
  name: 'Lag attention (test only)',
  family: 'test',
  summary: 'each query sees itself and the lag keys before it',
  params,
  directions: 'causal-only',
  ...maskGather<typeof params>({ allowed, rowCount: (ctx, i) => Math.min(i, ctx.params.lag) + 1, indexSets }),
});

/** The registry with the new variant's one line added. */
const registry = [...VARIANTS, lag];

describe('adding a variant is one file plus one registry line: the rest derives from the registry', () => {
  it('the id list the extension and the view use is generated from the registry (and is current for the real one)', () => {
    const ids = generatedFiles(registry).find((f) => f.path === 'src/model/variant-ids.ts')!.content;
    assert.match(ids, /'test-lag',/u);
    assert.deepEqual(
      [...VARIANT_IDS],
      VARIANTS.map((v) => v.id),
      'src/model/variant-ids.ts lists the registered variants (npm run generate)',
    );
  });

  it('the settings contribute its parameters with their description, default and range', () => {
    const settings = configurationContribution(registry) as { properties: Record<string, { properties?: Record<string, unknown> } & { items?: { enum: string[] } }> };
    assert.deepEqual(settings.properties['attentionProfiler.params.test-lag']?.properties?.lag, {
      type: 'integer',
      description: 'how many earlier keys a query sees. Default 2; 0 <= lag <= N.',
      minimum: 0,
      default: 2,
    });
    assert.ok(settings.properties['attentionProfiler.variants']?.items?.enum.includes('test-lag'));
  });

  it('the CLI catalogue lists it with its parameters', () => {
    const entry = catalogOf(registry).find((v) => v.id === 'test-lag');
    assert.deepEqual(entry?.params, [{ name: 'lag', kind: 'int', description: 'how many earlier keys a query sees', default: '2', range: '0 <= lag <= N', dependsOnN: false }]);
  });

  it('the kernel suite and the index-set check take it like any other', async () => {
    const cases = casesOf(lag);
    assert.ok(cases.length >= 10);
    const gpu = nodePlatform.createGpu('cpu');
    try {
      for (const c of cases) await checkCase(lag, c, 'cpu', gpu);
    } finally {
      void gpu.destroy();
    }
    const run = prepare(lag, 12, 8, true, { lag: 3 });
    const keys = keysByQuery(run.indexSets() ?? [], 12);
    for (let i = 0; i < 12; i++) {
      const first = Math.max(0, i - 3);
      assert.deepEqual(
        keys.get(i),
        Array.from({ length: i - first + 1 }, (_, t) => first + t),
        `row ${i}`,
      );
    }
  });

  it('the engine measures it with the same rules (gate, timing, memory)', async () => {
    const run = prepare(lag, 40, 8, true);
    const qkv = qkvOf(40, 8);
    const rows = Array.from({ length: 40 }, (_, i) => i);
    const result = await measureVariant(run, {
      qkv,
      alternate: alternateQkv(qkv),
      rows,
      exact: new ExactBaseline(qkv, true, rows, new WallClock()),
      selection: { requested: 'cpu', selected: 'cpu', lane: 'worker', probes: [], device: '', threads: 1 },
      timing: { warmups: 1, minRuns: 5, maxRuns: 5, budgetMs: 0 },
      memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
      gateTolerance: DEFAULTS.gateTolerance,
      mapSize: 16,
      clock: new WallClock(),
      shouldCancel: () => false,
      progress: () => {},
    });
    assert.equal(result.status, 'ok', result.reason);
    assert.equal(result.id, 'test-lag');
    assert.ok(result.check!.passed);
    assert.equal(result.time!.runs, 5);
    assert.equal(result.memory.measuredBytes, result.memory.predictedBytes);
    assert.equal(result.map!.rows, 16);
  });
});
