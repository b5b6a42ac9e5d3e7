import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { backendCeiling, ceilingKey } from '../src/engine/calibration';
import { ExactBaseline, measureVariant, relativeSpread } from '../src/engine/measure-variant';
import { fileCeilingCache } from '../src/engine/node/ceiling-file';
import { nodePlatform } from '../src/engine/node/platform';
import { installPlatform, type Platform } from '../src/engine/platform';
import { profile } from '../src/engine/profile';
import { alternateQkv } from '../src/engine/qkv';
import { WallClock } from '../src/engine/wall-clock';
import { DEFAULTS, MIB } from '../src/model/limits';
import type { BackendSelection } from '../src/model/report';
import { reportSchema } from '../src/model/report';
import { WALL_PHASES } from '../src/model/wall-time';
import { prepared, qkvOf, TEST_SETTINGS } from './helpers';

const CPU: BackendSelection = { requested: 'cpu', selected: 'cpu', lane: 'worker', probes: [], device: 'test cpu', threads: 1 };

/** Runs fn with the Node platform's ceiling cache in a fresh folder (or the given cache). */
async function withCache<T>(fn: (folder: string) => Promise<T>, cache?: Platform['ceilings']): Promise<T> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ceilings-'));
  installPlatform({ ...nodePlatform, ceilings: cache ?? fileCeilingCache(folder) });
  try {
    return await fn(folder);
  } finally {
    installPlatform(nodePlatform);
  }
}

describe("the backend's ceiling", () => {
  it('is measured once per backend and machine, cached with its date, and read back from the cache', async () => {
    await withCache(async (folder) => {
      const first = await backendCeiling(CPU);
      assert.equal(first.note, undefined);
      assert.ok(first.ceiling && first.ceiling.gflops > 0, 'a positive ceiling');
      assert.equal(first.ceiling.fromCache, false);
      assert.ok(Math.abs(Date.parse(first.ceiling.measuredAt) - Date.now()) < 60_000, 'dated now');
      const stored = JSON.parse(fs.readFileSync(path.join(folder, 'ceilings.json'), 'utf8')) as { ceilings: Record<string, { gflops: number }> };
      assert.equal(stored.ceilings[ceilingKey(CPU).key]?.gflops, first.ceiling.gflops);

      const again = await backendCeiling(CPU);
      assert.deepEqual(again.ceiling, { ...first.ceiling, fromCache: true });
      const other = await backendCeiling({ ...CPU, device: 'another device' });
      assert.equal(other.ceiling?.fromCache, false, 'another device is another key');
      const remeasured = await backendCeiling(CPU, { recalibrate: true });
      assert.equal(remeasured.ceiling?.fromCache, false);
    });
  });

  it('a cache file that is not JSON is measured again and rewritten', async () => {
    await withCache(async (folder) => {
      fs.writeFileSync(path.join(folder, 'ceilings.json'), '{ not json');
      const outcome = await backendCeiling(CPU);
      assert.equal(outcome.ceiling?.fromCache, false);
      assert.equal(outcome.note, undefined);
      assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(folder, 'ceilings.json'), 'utf8')));
    });
  });

  it('a cache that cannot be written still gives the ceiling, and says it was not cached', async () => {
    const blocked = fs.mkdtempSync(path.join(os.tmpdir(), 'ceilings-blocked-'));
    fs.writeFileSync(path.join(blocked, 'file'), '');
    await withCache(
      async () => {
        const outcome = await backendCeiling(CPU);
        assert.ok(outcome.ceiling && outcome.ceiling.gflops > 0);
        assert.match(outcome.note ?? '', /not cached \(could not write .*ceilings\.json.*\); it will be measured again next time/u);
      },
      fileCeilingCache(path.join(blocked, 'file', 'sub')),
    );
  });

  it('a backend the calibration kernel cannot run on gives no ceiling and says why, without failing', async () => {
    await withCache(async () => {
      const outcome = await backendCeiling({ ...CPU, requested: 'view-webgpu', selected: 'view-webgpu' });
      assert.equal(outcome.ceiling, undefined);
      assert.match(outcome.note ?? '', /^the calibration kernel did not run on view-webgpu: .*only in a Web Worker/u);
    });
  });
});

describe('efficiency and wall time in a report', () => {
  it('each timed variant carries its achieved GFLOP/s and fraction of the ceiling; the phases add up to the wall time', async () => {
    await withCache(async () => {
      const report = await profile({
        ...TEST_SETTINGS,
        input: { kind: 'ids', ids: Array.from({ length: 96 }, (_, i) => i).join(',') },
        tokenizer: 'whitespace',
        variants: ['full', 'sliding', 'linear'],
        d: 16,
      });
      reportSchema.parse(report);
      const ceiling = report.ceiling;
      assert.ok(ceiling && ceiling.backend === 'cpu' && ceiling.gflops > 0, JSON.stringify(report.ceilingNote));
      for (const v of report.variants) {
        assert.equal(v.status, 'ok', v.reason);
        const achieved = v.predictedFlops / (v.time!.medianMs * 1e6);
        assert.ok(Math.abs(v.efficiency!.achievedGflops - achieved) <= 1e-9 * achieved, v.id);
        assert.ok(Math.abs(v.efficiency!.fractionOfCeiling! - achieved / ceiling.gflops) <= 1e-9, v.id);
        assert.ok(v.wallMs && v.wallMs.compile > 0 && v.wallMs.timed > 0 && v.wallMs.gate > 0, `${v.id}: ${JSON.stringify(v.wallMs)}`);
      }
      const wall = report.wallTime!;
      const sum = WALL_PHASES.reduce((s, p) => s + wall.phases[p], 0);
      assert.ok(Math.abs(sum - wall.totalMs) < 1e-6 * wall.totalMs + 1e-6, `${sum} vs ${wall.totalMs}`);
      assert.ok(wall.phases.probes > 0 && wall.phases.calibration > 0 && wall.phases.timed > 0 && wall.phases.references > 0);
      const variantTimed = report.variants.reduce((s, v) => s + v.wallMs!.timed, 0);
      assert.ok(Math.abs(variantTimed - wall.phases.timed) < 1e-6 * wall.phases.timed + 1e-6, 'the variants share the run phases');
      // full's gate uses the run's exact baseline: its gate error and its error against exact are one figure.
      const full = report.variants[0];
      assert.equal(full.check!.relError, full.errorVsFull!.relFrobenius);
    });
  });
});

describe('timing rules', () => {
  const measure = (warmups: number, budgetMs: number, settledSpread?: number) => {
    const run = prepared('sliding', 64, 8, true);
    const qkv = qkvOf(64, 8);
    const rows = Array.from({ length: 64 }, (_, i) => i);
    const clock = new WallClock();
    return measureVariant(run, {
      qkv,
      alternate: alternateQkv(qkv),
      rows,
      exact: new ExactBaseline(qkv, true, rows, clock),
      selection: CPU,
      timing: { warmups, minRuns: 5, maxRuns: 50, budgetMs, ...(settledSpread === undefined ? {} : { settledSpread }) },
      memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
      gateTolerance: DEFAULTS.gateTolerance,
      mapSize: 0,
      clock,
      shouldCancel: () => false,
      progress: () => {},
    });
  };

  it('warm-ups are budgeted by time: one when the budget is spent, up to the most asked while under a quarter of it', async () => {
    assert.equal((await measure(4, 0)).time!.warmups, 1);
    assert.equal((await measure(4, 60_000)).time!.warmups, 4);
    assert.equal((await measure(0, 60_000)).time!.warmups, 0);
  });

  it('timed runs stop at the minimum once their spread has settled, and run on within the budget while it has not', async () => {
    assert.equal((await measure(1, 60_000, Infinity)).time!.runs, 5);
    assert.equal((await measure(1, 60_000, -1)).time!.runs, 50);
  });

  it('the spread is the interquartile range over the median', () => {
    assert.equal(relativeSpread([10, 10, 10, 10, 10]), 0);
    assert.equal(relativeSpread([8, 9, 10, 11, 12]), 0.2);
  });
});
