import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { describe, it } from 'node:test';
import type { Log } from '../src/extension/log';
import type * as RunControllerModule from '../src/extension/run-controller';
import type { LaneCall, ProfilerWorker } from '../src/extension/worker-client';
import { RunFailure } from '../src/extension/worker-client';
import { profile } from '../src/engine/profile';
import { MIB } from '../src/model/limits';
import type { ProfileReport } from '../src/model/report';
import type { RunSettings, SweepSettings } from '../src/model/settings';
import type { SweepReport } from '../src/model/sweep';
import { TEST_SETTINGS } from './helpers';
import { requireWithVscode } from './vscode-stand-in';

/** What the stand-in for VS Code holds: the settings, and the warnings shown (each test sets them afresh). */
const fake = { config: new Map<string, unknown>(), warnings: [] as string[] };

/** The parts of the VS Code API the controller touches: settings, warnings, notifications. */
function fakeVscode() {
  return {
    ProgressLocation: { Notification: 15 },
    window: {
      withProgress: () => Promise.resolve(),
      showWarningMessage: (text: string) => {
        fake.warnings.push(text);
        return Promise.resolve(undefined);
      },
    },
    workspace: {
      getConfiguration: () => ({ get: (key: string, fallback: unknown) => (fake.config.has(key) ? fake.config.get(key) : fallback) }),
      asRelativePath: (p: unknown) => String(p),
    },
  };
}

/** The controller's module, loaded with `vscode` answered by the stand-in. */
function loadController(vscode: unknown): typeof RunControllerModule {
  return requireWithVscode(vscode, () => createRequire(__filename)('../src/extension/run-controller') as typeof RunControllerModule);
}

/** A call the test ends: it settles when the test says, or as cancelled when the controller cancels it. */
function deferredCall<R>(): LaneCall<R> & { settle(r: R): void; fail(e: unknown): void; cancels: number } {
  let settle!: (r: R) => void;
  let fail!: (e: unknown) => void;
  const result = new Promise<R>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const call = {
    result,
    settle,
    fail,
    cancels: 0,
    cancel: async () => {
      call.cancels++;
      fail(new RunFailure('cancelled', 'cancelled'));
      await result.catch(() => undefined);
    },
  };
  return call;
}

/** The worker lane as the controller sees it; every run and sweep is a call the test ends. */
function fakeWorker() {
  const runs: Array<{ settings: RunSettings; call: ReturnType<typeof deferredCall<ProfileReport>> }> = [];
  const sweeps: Array<{ settings: SweepSettings; call: ReturnType<typeof deferredCall<SweepReport>> }> = [];
  const worker = {
    probe: () => Promise.resolve([]),
    tokenize: () => Promise.reject(new Error('not in this test')),
    countTokens: () => Promise.resolve({ count: 1 }),
    run: (_input: unknown, settings: RunSettings) => {
      const call = deferredCall<ProfileReport>();
      runs.push({ settings, call });
      return call;
    },
    sweep: (_input: unknown, settings: SweepSettings) => {
      const call = deferredCall<SweepReport>();
      sweeps.push({ settings, call });
      return call;
    },
  };
  return { worker: worker as unknown as ProfilerWorker, runs, sweeps };
}

/** The log as lines, by level; `shown` counts "Show log". */
function fakeLog() {
  const lines: Array<{ level: 'info' | 'warn' | 'error'; text: string; stack?: string }> = [];
  let shown = 0;
  const add = (level: 'info' | 'warn' | 'error') => (message: string | Error) =>
    lines.push(message instanceof Error ? { level, text: message.message, ...(message.stack ? { stack: message.stack } : {}) } : { level, text: message });
  const log: Log = {
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    show: () => {
      shown++;
    },
  };
  return { log, lines, shown: () => shown };
}

/** What the view is told, by event name. */
function fakeView() {
  const events: Array<{ name: string; payload: unknown }> = [];
  return { view: { emit: (name: string, payload: unknown) => events.push({ name, payload }) }, events };
}

const { RunController } = loadController(fakeVscode());

function setup(config: Record<string, unknown> = {}) {
  fake.config = new Map<string, unknown>(Object.entries({ backend: 'webasm', variants: ['full', 'sliding'], ...config }));
  const warnings: string[] = [];
  fake.warnings = warnings;
  const { worker, runs, sweeps } = fakeWorker();
  const { log, lines, shown } = fakeLog();
  const { view, events } = fakeView();
  const controller = new RunController(worker, { fsPath: '/ext' } as never, () => Promise.resolve(), log, view as unknown as RunControllerModule.ViewChannel);
  controller.viewIsReady();
  return { controller, runs, sweeps, lines, shown, events, warnings };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'timed out');
};

const input = (text: string) => ({ text, tokenizer: 'o200k_base' as const });

describe('the run controller (runs, sweeps and cancels from the view and the command)', () => {
  it('the last click wins: Run, then Run and Sweep while it goes, cancels the first and starts only the sweep', async () => {
    const { controller, runs, sweeps, events } = setup();
    const first = controller.run(input('first'), { notification: false });
    await until(() => runs.length === 1);
    // Two clicks in a row while the first run goes: the second is replaced by the third before it starts.
    const second = controller.run(input('second'), { notification: false });
    const third = controller.sweep(input('third'), '256, 512');
    await until(() => sweeps.length === 1);
    await Promise.all([first, second]);
    assert.equal(runs.length, 1, 'the second run never started');
    assert.ok(runs[0].call.cancels >= 1, 'the first run was cancelled');
    assert.deepEqual(sweeps[0].settings.lengths, [256, 512]);
    const ended = events.filter((e) => e.name === 'runEnded').map((e) => e.payload as { id: number; outcome: string });
    assert.deepEqual(ended, [{ id: 1, outcome: 'cancelled', message: 'The run was cancelled; the results shown are from the previous run.' }]);
    // The sweep goes on until it is cancelled in turn.
    await controller.cancel();
    await third;
    assert.deepEqual(
      events.filter((e) => e.name === 'runEnded').map((e) => (e.payload as { outcome: string }).outcome),
      ['cancelled', 'cancelled'],
    );
  });

  it("holds the memory budget to the machine's memory and says why, as a warning once and on each run", async () => {
    const machineMiB = Math.floor(os.totalmem() / MIB);
    const { controller, runs, events, warnings, lines } = setup({ memoryBudgetMiB: 1_048_576 });
    for (const n of [1, 2]) {
      const done = controller.run(input('some text'), { notification: false });
      await until(() => runs.length === n);
      assert.equal(runs[n - 1].settings.memoryBudgetBytes, machineMiB * MIB);
      await controller.cancel();
      await done;
    }
    const note = `Setting attentionProfiler.memoryBudgetMiB = 1048576 is more than this machine's memory (${machineMiB} MiB); the budget refuses a variant before it runs out of memory, so it can be at most ${machineMiB} MiB: runs use ${machineMiB} MiB.`;
    assert.deepEqual(warnings, [note], 'one warning, however many runs');
    assert.equal(lines.filter((l) => l.level === 'warn' && l.text === note).length, 2, 'the log notes it on each run');
    const last = events.filter((e) => e.name === 'runEnded').at(-1)!.payload as { message: string };
    assert.ok(last.message.endsWith(note), 'the run says so in the view');

    // A budget within the machine's memory is used as it is, without a note.
    const within = setup({ memoryBudgetMiB: 1 });
    const done = within.controller.run(input('x'), { notification: false });
    await until(() => within.runs.length === 1);
    assert.equal(within.runs[0].settings.memoryBudgetBytes, MIB);
    await within.controller.cancel();
    await done;
    assert.deepEqual(within.warnings, []);
  });

  it('logs the request, the probes, the phases and the outcome, and never the token text; errors with their stack', async () => {
    const secret = 'Zanzibar quokka marmalade';
    const report = await profile({ ...TEST_SETTINGS, input: { kind: 'text', text: secret, source: 'test' }, variants: ['full', 'sliding'], d: 8, mapSize: 0 });
    const tokens = report.input.tokens ?? [];
    assert.equal(tokens.map((t) => t.text).join(''), secret, 'the report holds the tokens');
    const { controller, runs, lines, shown } = setup();
    const done = controller.run(input(secret), { notification: false });
    await until(() => runs.length === 1);
    runs[0].call.settle(report);
    await done;
    const text = lines.map((l) => l.text).join('\n');
    assert.match(text, /run #1 asked: 2 variants \(full, sliding\), backend webasm, tokenizer o200k_base/u);
    assert.match(text, /#1: runs in the worker lane/u);
    assert.match(text, /run #1 done in \d+ ms: N = \d+, 2 variants on cpu/u);
    for (const p of report.backend.probes) assert.ok(text.includes(`: ${p.reason}`), `probe ${p.backend} and its reason`);
    assert.match(text, /run #1 wall time \d+ ms: .*\d+ ms/u);
    assert.match(text, /run #1 full: ok, median [\d.]+ ms over \d+ runs, first call [\d.]+ ms; wall \d+ ms: /u);

    // A bad input is logged by its kind: its message quotes the input.
    const bad = controller.run(input('ids: 1 Zanzibar'), { notification: false });
    await until(() => runs.length === 2);
    runs[1].call.fail(new RunFailure('userError', 'bad token id "Zanzibar" at position 1', { code: 'input', message: 'bad token id "Zanzibar" at position 1' }));
    await bad;
    // A failure of the tool is logged with its stack.
    const broken = controller.run(input('x'), { notification: false });
    await until(() => runs.length === 3);
    runs[2].call.fail(new RunFailure('failed', 'the kernel could not be compiled'));
    await broken;
    const all = lines.map((l) => `${l.text}\n${l.stack ?? ''}`).join('\n');
    for (const word of ['Zanzibar', 'quokka', 'marmalade', ...tokens.map((t) => t.text.trim()).filter((t) => t.length >= 3)]) {
      assert.ok(!all.includes(word), `the log holds no "${word}"`);
    }
    assert.match(all, /#2 ended \(userError\) after \d+ ms: the input was refused/u);
    const error = lines.find((l) => l.level === 'error' && l.stack);
    assert.match(error?.stack ?? '', /the kernel could not be compiled\n\s+at /u);

    controller.showLog();
    assert.equal(shown(), 1);
  });
});
