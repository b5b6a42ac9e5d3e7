import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sweep } from '../src/engine/sweep';
import { crossover, logLogFit } from '../src/model/fit';
import { SWEEP_TIMING } from '../src/model/limits';
import { parseLengths, summarizeSweep, sweepReportSchema, type SweepProgress } from '../src/model/sweep';
import { TEST_SETTINGS } from './helpers';

describe('fits and crossovers', () => {
  it('fits the log-log slope of power laws exactly, with the points used', () => {
    const fit = logLogFit([256, 512, 1024, 2048].map((n) => ({ n, value: 3e-6 * n ** 1.5 })))!;
    assert.ok(Math.abs(fit.slope - 1.5) < 1e-12);
    assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
    assert.deepEqual(fit.points, [256, 512, 1024, 2048]);
    assert.deepEqual(
      logLogFit([
        { n: 256, value: 1 },
        { n: 512, value: undefined },
      ])?.points,
      undefined,
      'one point is not a fit',
    );
  });

  it('places the crossover on the log-log line between the two lengths around it', () => {
    // variant 10 n, full n^2 / 100: equal at n = 1000.
    const lengths = [250, 500, 2000, 4000];
    const v = new Map(lengths.map((n) => [n, 10 * n]));
    const f = new Map(lengths.map((n) => [n, (n * n) / 100]));
    const c = crossover(v, f, { lower: 'faster', quantity: 'median time' });
    assert.equal(c.kind, 'between');
    assert.ok(Math.abs(c.n! - 1000) < 1e-6, String(c.n));
    assert.match(c.detail, /faster than full from N ~ 1000 \(median time: between N = 500 and N = 2000\)/u);
    assert.equal(crossover(f, v, { lower: 'faster', quantity: 't' }).kind, 'not-in-range');
    assert.equal(crossover(new Map([[8, 1]]), new Map([[8, 2]]), { lower: 'faster', quantity: 't' }).kind, 'from-start');
    assert.equal(crossover(new Map([[8, 1]]), new Map([[16, 2]]), { lower: 'faster', quantity: 't' }).kind, 'unknown');
  });

  it('parses lists of lengths and names the bad one', () => {
    assert.deepEqual(parseLengths('1024, 256 512,256'), [256, 512, 1024]);
    assert.throws(() => parseLengths('256, x'), /length "x" is not a positive integer/u);
    assert.throws(() => parseLengths('70000'), /length 70000 is out of range: 1 <= N <= 65536/u);
    assert.throws(() => parseLengths(' '), /the list of lengths is empty/u);
  });
});

describe('sweep', () => {
  it('measures every variant at every length, keeps fixed parameters fixed and follows those that depend on N', async () => {
    const report = await sweep({
      ...TEST_SETTINGS,
      variants: ['full', 'sliding', 'strided'],
      lengths: [16, 64],
      d: 8,
      params: { sliding: { window: 3 } },
      memoryBudgetBytes: 2 ** 30,
      pointBudgetMs: 0,
    });
    sweepReportSchema.parse(report);
    const sliding = report.variants.find((v) => v.id === 'sliding')!;
    assert.deepEqual(
      sliding.points.map((p) => p.params.window),
      [3, 3],
    );
    const strided = report.variants.find((v) => v.id === 'strided')!;
    assert.deepEqual(
      strided.points.map((p) => p.params.stride),
      [4, 8],
      'stride = round(sqrt N) at each length',
    );
    for (const v of report.variants) {
      for (const p of v.points) {
        assert.equal(p.status, 'ok');
        const { minRuns, maxRuns, rounds } = SWEEP_TIMING;
        assert.ok(p.time!.runs >= minRuns * rounds && p.time!.runs <= maxRuns * rounds, `${v.id} N=${p.n}: ${p.time!.runs} runs over ${rounds} rounds`);
        assert.equal(p.time!.minMs, Math.min(...p.time!.samplesMs));
        assert.equal(p.time!.samplesMs.length, p.time!.runs);
        assert.equal(p.memory.measuredBytes, p.memory.predictedBytes);
        assert.ok(p.check!.passed);
      }
    }
    // Memory is exact: full grows as N^2 (2N^2 + 2N floats), a window as N.
    assert.ok(Math.abs(report.variants.find((v) => v.id === 'full')!.fit.measuredMemory!.slope - 2) < 0.05);
    assert.ok(Math.abs(sliding.fit.measuredMemory!.slope - 1) < 0.01);
    assert.ok(sliding.crossover, 'crossovers against full');
  });

  it('skips a point whose predicted memory is over the budget, saying what it would need, and measures the rest', async () => {
    const report = await sweep({
      ...TEST_SETTINGS,
      variants: ['full', 'sliding'],
      lengths: [64, 1024],
      d: 8,
      memoryBudgetBytes: 1 * 2 ** 20,
      pointBudgetMs: 0,
    });
    const full = report.variants.find((v) => v.id === 'full')!;
    assert.equal(full.points[0].status, 'ok');
    assert.equal(full.points[1].status, 'skipped');
    assert.equal(full.points[1].reason, 'would need 8.0 MiB of intermediates and weights at N = 1024; the memory budget is 1.0 MiB');
    assert.deepEqual(
      report.variants.find((v) => v.id === 'sliding')!.points.map((p) => p.status),
      ['ok', 'ok'],
    );
  });

  it('times each point in two rounds, the second over the lengths in reverse order, and fits the fastest run at each length', async () => {
    const events: SweepProgress[] = [];
    const report = await sweep(
      { ...TEST_SETTINGS, variants: ['sliding'], lengths: [16, 32, 64], d: 8, memoryBudgetBytes: 2 ** 30, pointBudgetMs: 0 },
      { onProgress: (e) => events.push(e) },
    );
    const measuredOrder = events.flatMap((e) => (e.kind === 'measured' ? [e.point.n] : []));
    assert.deepEqual(measuredOrder, [16, 32, 64, 64, 32, 16]);
    const points = report.variants[0].points;
    assert.deepEqual(
      points.map((p) => p.n),
      [16, 32, 64],
    );
    assert.equal(report.settings.rounds, 2);
    const fit = logLogFit(points.map((p) => ({ n: p.n, value: Math.min(...p.time!.samplesMs) })));
    assert.equal(report.variants[0].fit.time!.slope, fit!.slope);
  });

  it('keeps the points measured before a cancel, and marks the rest', async () => {
    let points = 0;
    const report = await sweep(
      { ...TEST_SETTINGS, variants: ['sliding', 'local'], lengths: [16, 32, 64], d: 8, memoryBudgetBytes: 2 ** 30, pointBudgetMs: 0 },
      { onProgress: (e) => (points += e.kind === 'measured' ? 1 : 0), shouldCancel: () => points >= 3 },
    );
    assert.equal(report.cancelled, true);
    const statuses = report.variants.flatMap((v) => v.points.map((p) => p.status));
    assert.equal(statuses.filter((s) => s === 'ok').length, 3);
    assert.ok(statuses.includes('cancelled'));
    // The host summarises streamed points the same way when it had to stop the worker.
    const again = summarizeSweep(
      {
        lengths: report.settings.lengths,
        d: 8,
        seed: 1,
        causal: true,
        tokens: report.settings.tokens,
        pointBudgetMs: 0,
        memoryBudgetBytes: 2 ** 30,
        gateTolerance: report.settings.gateTolerance,
        backend: report.backend,
        givenParams: {},
        variants: [
          { id: 'sliding', name: 'Longformer sliding window', family: 'sparse (window)' },
          { id: 'local', name: 'Local attention (blocks)', family: 'sparse (block)' },
        ],
        environment: report.environment,
        tool: report.tool,
      },
      new Map([
        ['sliding', report.variants[0].points],
        ['local', report.variants[1].points],
      ]),
      true,
    );
    assert.deepEqual(
      again.variants.map((v) => v.fit),
      report.variants.map((v) => v.fit),
    );
  });
});
