import * as vscode from 'vscode';
import type { TokenizerName } from '../core/tokenizer-names';
import type { ProgressMessage, RunResult, ToView, ViewInput } from '../protocol';
import { Disposable } from './disposable';
import { defaultTokenizer, readRunSettings } from './settings';
import { RunFailure, type ProfilerWorker } from './worker-client';

export interface ViewSink {
  post(message: ToView): void;
}

/**
 * One run at a time, from the command or the view: settings read and checked, the worker asked,
 * progress streamed to the view (and to a cancellable notification when the command started
 * it), and the state the view needs kept here, so a view hidden and shown again gets it back.
 * A failed or cancelled run leaves the previous results in place.
 */
export class RunController extends Disposable {
  private input: ViewInput;
  private last: RunResult | null = null;
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

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** The whole state, for a view that was (re)created. */
  sendState(): void {
    this.view?.post({ type: 'state', input: this.input, running: this.running, last: this.last, message: this.message });
  }

  setInput(input: ViewInput, fromView: boolean): void {
    this.input = input;
    if (!fromView) this.view?.post({ type: 'setInput', input });
    this.scheduleTokenCount();
  }

  /** Starts a run on the given text (the previous run, if any, is cancelled first). */
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
    const runId = this.nextRunId++;
    const label = `Profiling ${read.settings.variants.length} variants on ${read.settings.backend}`;
    this.running = { runId, label };
    this.message = null;
    this.view?.post({ type: 'runStarted', runId, label });

    let notify: ((e: ProgressMessage) => void) | undefined;
    const runPromise = this.worker.run(runId, input.text, read.settings, (event) => {
      this.view?.post({ type: 'progress', runId, event });
      notify?.(event);
    });
    if (options.notification) {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Attention profiler', cancellable: true },
        (progress, token) => {
          this._register(token.onCancellationRequested(() => void this.cancel()));
          notify = (event) => {
            if (event.kind === 'variant' && event.phase === 'compiling') {
              progress.report({ message: `${event.index + 1}/${event.total} ${event.id}`, increment: event.index === 0 ? 0 : 100 / event.total });
            }
          };
          return runPromise.catch(() => undefined);
        },
      );
    }
    try {
      const result = await runPromise;
      if (this.running?.runId !== runId) return;
      this.running = null;
      if (result.report.cancelled) {
        this.end(runId, 'cancelled', 'The run was cancelled; the results shown are from the previous run.');
        return;
      }
      this.last = result;
      this.view?.post({ type: 'result', runId, result });
      const failed = result.report.variants.filter((v) => v.status === 'failed').map((v) => v.id);
      this.end(runId, 'done', failed.length > 0 ? `Done; ${failed.join(', ')} failed (see their cards).` : `Done: ${result.report.variants.length} variants on ${result.report.input.n} tokens.`);
    } catch (err) {
      if (this.running?.runId === runId) this.running = null;
      const failure = err instanceof RunFailure ? err : new RunFailure('failed', String(err));
      if (failure.kind === 'cancelled') this.end(runId, 'cancelled', 'The run was cancelled; the results shown are from the previous run.');
      else if (failure.kind === 'workerDied') this.end(runId, 'workerDied', failure.message);
      else this.end(runId, 'failed', failure.message, failure.kind === 'userError');
    }
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    await this.worker.cancel();
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
