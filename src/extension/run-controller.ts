import * as vscode from 'vscode';
import { reportWithMaps } from '../core/report-maps';
import type { HtmlReportContent } from '../core/export-html';
import type { SweepPoint, SweepReport } from '../core/report';
import { parseLengths } from '../core/sweep-defaults';
import { summarizeSweep, type SweepMeta } from '../core/sweep-summary';
import type { TokenizerName } from '../core/tokenizer-names';
import type { VariantId } from '../core/variants/ids';
import type { FromView, ProgressMessage, RunResult, ToView, ViewInput } from '../protocol';
import { Disposable } from './disposable';
import { exportImages, exportToFile, saveRun } from './exports';
import { defaultTokenizer, readRunSettings, sweepDefaults } from './settings';
import { RunFailure, type ProfilerWorker } from './worker-client';

export interface ViewSink {
  post(message: ToView): void;
}

const CANCELLED = 'The run was cancelled; the results shown are from the previous run.';

/**
 * One run or sweep at a time, from the command or the view: settings read and checked, the worker
 * asked, progress streamed to the view (and to a cancellable notification when the command
 * started it), and the state the view needs kept here, so a view hidden and shown again gets it
 * back. A failed or cancelled run leaves the previous results in place; a stopped sweep keeps the
 * points it measured. Exports and "Save run" work on the results shown.
 */
export class RunController extends Disposable {
  private input: ViewInput;
  private last: RunResult | null = null;
  private lastSweep: SweepReport | null = null;
  private sweepLengths: string;
  private running: { runId: number; label: string } | null = null;
  private message: { kind: 'info' | 'error'; text: string } | null = null;
  private nextRunId = 1;
  private countTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly worker: ProfilerWorker,
    private view: ViewSink | undefined = undefined,
  ) {
    super();
    this.input = { text: '', tokenizer: defaultTokenizer() };
    this.sweepLengths = sweepDefaults().lengths;
  }

  attachView(view: ViewSink | undefined): void {
    this.view = view;
  }

  get currentInput(): ViewInput {
    return this.input;
  }

  get lastResult(): RunResult | null {
    return this.last;
  }

  get lastSweepResult(): SweepReport | null {
    return this.lastSweep;
  }

  /** The whole state, for a view that was (re)created. */
  sendState(): void {
    this.view?.post({ type: 'state', input: this.input, running: this.running, last: this.last, lastSweep: this.lastSweep, sweepLengths: this.sweepLengths, message: this.message });
  }

  setInput(input: ViewInput, fromView: boolean): void {
    this.input = input;
    if (!fromView) this.view?.post({ type: 'setInput', input });
    this.scheduleTokenCount();
  }

  /** Messages from the view that are about results (exports, saving). */
  async handleResultAction(m: Extract<FromView, { type: 'export' | 'exportImages' | 'save' }>): Promise<void> {
    try {
      if (m.type === 'exportImages') {
        const folder = await exportImages(m.images);
        if (folder) this.notice('info', `Exported ${m.images.length} PNG files to ${folder.fsPath}.`);
        return;
      }
      const content = this.content(m.source);
      if (!content) {
        this.notice('error', `There is no ${m.source} to ${m.type === 'save' ? 'save' : 'export'} yet.`);
        return;
      }
      const target = m.type === 'save' ? await saveRun(content) : await exportToFile(m.format, content);
      if (target) this.notice('info', `${m.type === 'save' ? 'Saved' : 'Exported'} ${vscode.workspace.asRelativePath(target)}.`);
    } catch (err) {
      this.notice('error', `Could not write the file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Starts a run on the given text (a run or sweep in progress is cancelled first). */
  async run(input: ViewInput, options: { notification: boolean }): Promise<void> {
    this.input = input;
    if (this.running) await this.cancel();
    if (input.text.trim() === '') {
      this.fail('Nothing to profile: select text in an editor, or paste text or "ids: 1, 2, 3" into the box above.');
      return;
    }
    const read = readRunSettings(input.tokenizer as TokenizerName);
    if (!read.ok) {
      this.fail(read.error);
      return;
    }
    const runId = this.start(`Profiling ${read.settings.variants.length} variants on ${read.settings.backend}`);
    let notify: ((e: ProgressMessage) => void) | undefined;
    const runPromise = this.worker.run(runId, input.text, read.settings, (event) => {
      this.view?.post({ type: 'progress', runId, event });
      notify?.(event);
    });
    if (options.notification) {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Attention profiler', cancellable: true }, (progress, token) => {
        this._register(token.onCancellationRequested(() => void this.cancel()));
        notify = (event) => {
          if (event.kind === 'variant' && event.phase === 'compiling') {
            progress.report({ message: `${event.index + 1}/${event.total} ${event.id}`, increment: event.index === 0 ? 0 : 100 / event.total });
          }
        };
        return runPromise.catch(() => undefined);
      });
    }
    try {
      const result = await runPromise;
      if (!this.finish(runId)) return;
      if (result.report.cancelled) {
        this.end(runId, 'cancelled', CANCELLED);
        return;
      }
      this.last = result;
      this.view?.post({ type: 'result', runId, result });
      const failed = result.report.variants.filter((v) => v.status === 'failed').map((v) => v.id);
      this.end(runId, 'done', failed.length > 0 ? `Done; ${failed.join(', ')} failed (see their cards).` : `Done: ${result.report.variants.length} variants on ${result.report.input.n} tokens.`);
    } catch (err) {
      this.finish(runId);
      this.endWithFailure(runId, err, CANCELLED);
    }
  }

  /** A length sweep; the input's tokens are cycled to each length (synthetic ids if it is empty). */
  async sweep(input: ViewInput, lengthsText: string): Promise<void> {
    this.input = input;
    this.sweepLengths = lengthsText;
    if (this.running) await this.cancel();
    let lengths: number[];
    try {
      lengths = parseLengths(lengthsText);
    } catch (err) {
      this.fail(`Sweep lengths: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const read = readRunSettings(input.tokenizer as TokenizerName);
    if (!read.ok) {
      this.fail(read.error);
      return;
    }
    const runId = this.start(`Sweeping ${read.settings.variants.length} variants over N = ${lengths.join(', ')}`);
    let meta: SweepMeta | undefined;
    const points = new Map<VariantId, SweepPoint[]>();
    try {
      const sweep = await this.worker.sweep(
        runId,
        { text: input.text, settings: read.settings, lengths, pointBudgetMs: sweepDefaults().pointBudgetMs },
        {
          progress: (event) => {
            if (event.kind === 'start') meta = event.meta as SweepMeta;
            this.view?.post({ type: 'sweepProgress', runId, event });
          },
          point: (id, point) => points.set(id, [...(points.get(id) ?? []), point]),
        },
      );
      if (!this.finish(runId)) return;
      this.showSweep(runId, sweep);
      this.end(runId, sweep.cancelled ? 'cancelled' : 'done', sweep.cancelled ? 'The sweep was cancelled; the points measured are shown.' : `Sweep done: ${sweep.variants.length} variants over ${lengths.length} lengths.`);
    } catch (err) {
      this.finish(runId);
      // The worker was stopped or died: keep the points it had streamed.
      const hasPoints = [...points.values()].some((p) => p.length > 0);
      if (meta && hasPoints) this.showSweep(runId, summarizeSweep(meta, points, true));
      this.endWithFailure(runId, err, hasPoints ? 'The sweep was cancelled; the points measured are shown.' : 'The sweep was cancelled.');
    }
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    await this.worker.cancel();
  }

  private content(source: 'run' | 'sweep'): HtmlReportContent | undefined {
    if (source === 'run') return this.last ? { kind: 'run', report: reportWithMaps(this.last.report, this.last.maps) } : undefined;
    return this.lastSweep ? { kind: 'sweep', sweep: this.lastSweep } : undefined;
  }

  private start(label: string): number {
    const runId = this.nextRunId++;
    this.running = { runId, label };
    this.message = null;
    this.view?.post({ type: 'runStarted', runId, label });
    return runId;
  }

  /** Marks the run over; false when another run has replaced it meanwhile. */
  private finish(runId: number): boolean {
    if (this.running?.runId !== runId) return false;
    this.running = null;
    return true;
  }

  private showSweep(runId: number, sweep: SweepReport): void {
    this.lastSweep = sweep;
    this.view?.post({ type: 'sweepResult', runId, sweep });
  }

  private endWithFailure(runId: number, err: unknown, cancelledText: string): void {
    const failure = err instanceof RunFailure ? err : new RunFailure('failed', String(err));
    if (failure.kind === 'cancelled') this.end(runId, 'cancelled', cancelledText);
    else if (failure.kind === 'workerDied') this.end(runId, 'workerDied', failure.message);
    else this.end(runId, 'failed', failure.message, failure.kind === 'userError');
  }

  private end(runId: number, outcome: 'done' | 'cancelled' | 'failed' | 'workerDied', text: string, inputError = false): void {
    this.message = { kind: outcome === 'done' || outcome === 'cancelled' ? 'info' : 'error', text };
    this.view?.post({ type: 'runEnded', runId, outcome, message: text });
    if (inputError) this.view?.post({ type: 'inputError', message: text });
  }

  private fail(text: string): void {
    this.message = { kind: 'error', text };
    this.view?.post({ type: 'inputError', message: text });
  }

  private notice(kind: 'info' | 'error', message: string): void {
    this.view?.post({ type: 'notice', kind, message });
  }

  /** Token count of the input, debounced; only once the user has typed (the worker starts on use). */
  private scheduleTokenCount(): void {
    clearTimeout(this.countTimer);
    const input = this.input;
    if (input.text.trim() === '') return;
    this.countTimer = setTimeout(() => {
      const read = readRunSettings(input.tokenizer as TokenizerName);
      const maxTokens = read.ok ? read.settings.maxTokens : 65536;
      void this.worker.countTokens(input.text, input.tokenizer as TokenizerName, maxTokens).then((r) => {
        if (this.input !== input) return;
        this.view?.post({ type: 'tokenCount', text: input.text, tokenizer: input.tokenizer, ...r });
      });
    }, 300);
  }

  override dispose(): void {
    clearTimeout(this.countTimer);
    super.dispose();
  }
}
