import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CANCEL_GRACE_MS, ProfilerWorker, type RunFailure } from '../src/extension/worker-client';
import { DEFAULTS } from '../src/model/limits';
import type { ProgressEvent } from '../src/model/report';
import type { RunSettings } from '../src/model/settings';

const SCRIPT = path.resolve(__dirname, '..', 'dist', 'worker.js');

const SETTINGS: RunSettings = {
  backend: 'cpu',
  d: 16,
  seed: 1,
  causal: true,
  tokenizer: 'o200k_base',
  maxTokens: 65536,
  repeats: DEFAULTS.repeats,
  warmups: DEFAULTS.warmups,
  timeBudgetMs: 0,
  memoryBudgetBytes: 2 ** 31,
  variants: ['full', 'sliding', 'rwkv'],
  params: {},
  mapSize: 32,
  checkRowLimit: DEFAULTS.checkRowLimit,
  gateTolerance: DEFAULTS.gateTolerance,
  threads: 1,
};

/** What the view sends: the user's text (or an ids list). */
const text = (t: string) => ({ kind: 'text' as const, text: t });

const ids = (n: number) => `ids: ${Array.from({ length: n }, (_, i) => (i * 31) % 1000).join(' ')}`;

/** The worker's thread, for the test that kills it from outside as a crash would. */
function threadOf(worker: ProfilerWorker): { terminate(): Promise<number> } {
  return (worker as unknown as { current: { worker: { terminate(): Promise<number> } } }).current.worker;
}

describe('the profiling worker (dist/worker.js) seen from the extension host', () => {
  it('runs a profile, streams progress per variant, and transfers the maps as Float32Arrays', async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      const events: ProgressEvent[] = [];
      const report = await worker.run(text('Sparse and dense attention, side by side.'), SETTINGS, (e) => events.push(e)).result;
      assert.deepEqual(
        report.variants.map((v) => [v.id, v.status]),
        [
          ['full', 'ok'],
          ['sliding', 'ok'],
          ['rwkv', 'ok'],
        ],
      );
      const maps = report.variants.flatMap((v) => (v.map ? [{ id: v.id, ...v.map }] : []));
      assert.deepEqual(
        maps.map((m) => m.id),
        ['full', 'sliding', 'rwkv'],
      );
      assert.ok(maps.every((m) => m.values instanceof Float32Array && m.values.length === m.rows * m.cols));
      const phases = events.filter((e) => e.kind === 'variant').map((e) => `${e.id}:${e.phase}`);
      for (const id of ['full', 'sliding', 'rwkv']) for (const phase of ['compiling', 'checked', 'timing', 'done']) assert.ok(phases.includes(`${id}:${phase}`), `${id}:${phase}`);
      assert.deepEqual(await worker.countTokens('hello world', 'o200k_base', 10), { count: 2 });
      assert.match((await worker.countTokens('ids: 1 x', 'o200k_base', 10)).error!, /bad token id "x"/u);
    } finally {
      worker.dispose();
    }
  });

  it('reports bad input as a user error', async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      await assert.rejects(
        worker.run(text('ids: 4, 5, nope'), SETTINGS, () => {}).result,
        (e: RunFailure) => e.kind === 'userError' && /bad token id "nope" at position 2/u.test(e.message),
      );
      await assert.rejects(
        worker.run(text(ids(100)), { ...SETTINGS, maxTokens: 50 }, () => {}).result,
        (e: RunFailure) => e.kind === 'userError' && /the input has more than 50 tokens, the limit/u.test(e.message),
      );
      await assert.rejects(worker.run(text('x'), { ...SETTINGS, params: { sliding: { window: 0 } } }, () => {}).result, (e: RunFailure) =>
        /sliding.window = 0 is out of range/u.test(e.message),
      );
    } finally {
      worker.dispose();
    }
  });

  it('cancel between kernels: the run ends within a second with report.cancelled set', async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      let cancelAt = 0;
      const call = worker.run(text(ids(300)), { ...SETTINGS, variants: ['sliding', 'local', 'dilated', 'rwkv', 'linear', 'full'], timeBudgetMs: 5000 }, (e) => {
        if (!cancelAt && e.kind === 'variant' && e.phase === 'timing') {
          cancelAt = Date.now();
          void call.cancel();
        }
      });
      const report = await call.result;
      const ms = Date.now() - cancelAt;
      assert.equal(report.cancelled, true);
      assert.ok(report.variants.some((v) => v.status === 'cancelled'));
      assert.ok(ms < 1000, `cancelled after ${ms} ms`);
    } finally {
      worker.dispose();
    }
  });

  it('cancel in the middle of a long kernel terminates the worker; the next run starts a fresh one', async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      // full on cpu at N = 6000: its first kernel alone takes seconds, far longer than the grace period.
      let cancelAt = 0;
      const call = worker.run(text(ids(6000)), { ...SETTINGS, variants: ['full'], d: 64 }, (e) => {
        if (!cancelAt && e.kind === 'variant' && e.phase === 'compiling') {
          cancelAt = Date.now();
          setTimeout(() => void call.cancel(), 200);
        }
      });
      await assert.rejects(call.result, (e: RunFailure) => e.kind === 'cancelled' && /stopped in the middle of a kernel/u.test(e.message));
      const ms = Date.now() - cancelAt - 200;
      assert.ok(ms < 1000 && ms >= CANCEL_GRACE_MS - 50, `stopped ${ms} ms after the cancel`);
      // The fresh worker numbers its calls from 1 again: the cancel of the old worker's call 1 is not its own.
      const again = await worker.run(text('fresh worker'), SETTINGS, () => {}).result;
      assert.equal(again.cancelled, false, 'the first call of the fresh worker is not taken for the cancelled one');
      assert.deepEqual(
        again.variants.map((v) => v.status),
        ['ok', 'ok', 'ok'],
      );
    } finally {
      worker.dispose();
    }
  });

  it("a cancel's grace timer is bound to the call it cancelled: a run started meanwhile is not stopped by it", async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      // The cancelled run ends at its next check, well within the grace period; the run asked for at
      // the same moment goes on for longer than the grace period and must not be stopped by that timer.
      let cancelled: Promise<void> | undefined;
      let next: ReturnType<ProfilerWorker['run']> | undefined;
      let startedAt = 0;
      const first = worker.run(text(ids(300)), { ...SETTINGS, variants: ['sliding', 'local', 'full'], timeBudgetMs: 5000 }, (e) => {
        if (cancelled || e.kind !== 'variant' || e.phase !== 'timing') return;
        cancelled = first.cancel();
        startedAt = Date.now();
        next = worker.run(text(ids(300)), { ...SETTINGS, variants: ['sliding', 'full'], timeBudgetMs: CANCEL_GRACE_MS * 2 }, () => {});
      });
      assert.equal((await first.result).cancelled, true);
      await cancelled;
      const again = await next!.result;
      assert.ok(Date.now() - startedAt > CANCEL_GRACE_MS, 'the next run outlasted the grace period');
      assert.equal(again.cancelled, false);
      assert.deepEqual(
        again.variants.map((v) => v.status),
        ['ok', 'ok'],
      );
      assert.equal(worker.started, true, 'the worker was not stopped');
    } finally {
      worker.dispose();
    }
  });

  it('a worker that runs out of memory says so', async () => {
    // 24 MB of heap is too little for any run: the worker dies of it.
    const worker = new ProfilerWorker(SCRIPT, { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 });
    try {
      await assert.rejects(
        worker.run(text(ids(4000)), { ...SETTINGS, variants: ['full'], mapSize: 512 }, () => {}).result,
        (e: RunFailure) =>
          e.kind === 'workerDied' && /^The profiling worker stopped: it ran out of memory \(worker resource limits\)\. The next run starts a fresh worker\.$/u.test(e.message),
      );
      assert.equal(worker.started, false);
    } finally {
      worker.dispose();
    }
  });

  it('a worker that dies in the middle of a run is reported, and the next run starts a fresh one', async () => {
    const worker = new ProfilerWorker(SCRIPT);
    try {
      const call = worker.run(text(ids(6000)), { ...SETTINGS, variants: ['full'], d: 64 }, (e) => {
        // Kill the thread from outside, as a crash would.
        if (e.kind === 'variant' && e.phase === 'compiling') void threadOf(worker).terminate();
      });
      await assert.rejects(call.result, (e: RunFailure) => e.kind === 'workerDied' && /^The profiling worker stopped: it exited with code 1/u.test(e.message));
      assert.equal(worker.started, false);
      const again = await worker.run(text('a run after the crash'), SETTINGS, () => {}).result;
      assert.deepEqual(
        again.variants.map((v) => v.status),
        ['ok', 'ok', 'ok'],
      );
    } finally {
      worker.dispose();
    }
  });
});
