import * as vscode from 'vscode';
import type { z } from 'zod';
import type { ReportContent } from '../model/content';
import type { ProfileReport, ProgressEvent } from '../model/report';
import type { RunSettings } from '../model/settings';
import { summarizeSweep, type SweepMeta, type SweepPoint, type SweepReport } from '../model/sweep';
import type { VariantId } from '../model/variant-ids';
import type { Endpoint } from '../protocol/channel';
import type { HostSide, RunOutcome, ViewInput, ViewSide } from '../protocol/view';
import { Disposable } from './disposable';
import { exportImages, exportToFile, saveRun } from './exports';
import { chooseLane, type LaneChoice } from './lanes';
import { logLines, type Log } from './log';
import { defaultTokenizer, maxTokensSetting, readRunSettings, readSweepSettings, sweepLengthsSetting } from './settings';
import { ViewLane } from './view-lane';
import { describeForUser } from './wording';
import { runFailureOf, type EngineLane, type LaneCall, type ProfilerWorker } from './worker-client';

type HostEvents = { [K in keyof HostSide['events']]: z.infer<HostSide['events'][K]> };

/** The view's end of its channel: what it shows, and its GPU lane. */
export type ViewChannel = Endpoint<HostSide, ViewSide>;

/** How long a view that is being opened may take to say it is ready. */
const VIEW_OPEN_TIMEOUT_MS = 15_000;

const CANCELLED = 'The run was cancelled; the results shown are from the previous run.';

/**
 * One run or sweep at a time, from the command or the view: settings read and checked, the worker
 * asked, progress streamed to the view (and to a cancellable notification when the command
 * started it), and the state the view needs kept here, so a view hidden and shown again gets it
 * back. The last request wins: a run or sweep asked for while another is going cancels it first.
 * A failed or cancelled run leaves the previous results in place; a stopped sweep keeps the points
 * it measured. Exports and "Save run" work on the results shown.
 */
export class RunController extends Disposable {
  private input: ViewInput;
  private last: ProfileReport | null = null;
  private lastSweep: SweepReport | null = null;
  private sweepLengths: string;
  /** The run or sweep going on: its call, once its lane is chosen. */
  private running: { id: number; label: string; call?: LaneCall<unknown> } | null = null;
  private viewReady = false;
  private readonly readyWaiters: Array<() => void> = [];
  private message: { kind: 'info' | 'error'; text: string } | null = null;
  private nextId = 1;
  /** Increases with every run or sweep asked for: a request that is no longer the latest gives way. */
  private latestRequest = 0;
  private countTimer: NodeJS.Timeout | undefined;
  /** Notes on the settings (a budget lowered to the machine's memory) already shown as a warning. */
  private readonly warned = new Set<string>();
  /** The notes of the settings of the run or sweep going on, added to its last message. */
  private notes: string[] = [];

  constructor(
    private readonly worker: ProfilerWorker,
    /** The extension's folder: exports read the files they inline from it. */
    private readonly extensionUri: vscode.Uri,
    /** Reveals the Attention comparison view (its GPU lane runs there). */
    private readonly openView: () => Promise<void>,
    /** The extension's log ("Attention Profiler" in the Output panel). */
    private readonly log: Log,
    private view: ViewChannel | undefined = undefined,
  ) {
    super();
    this.input = { text: '', tokenizer: defaultTokenizer() };
    this.sweepLengths = sweepLengthsSetting();
  }

  attachView(view: ViewChannel | undefined): void {
    this.view = view;
    this.viewReady = false;
  }

  /** The view's script is running: its channel, and its GPU lane, can take calls. */
  viewIsReady(): void {
    this.viewReady = true;
    while (this.readyWaiters.length > 0) this.readyWaiters.shift()?.();
    this.sendState();
  }

  /** The view's GPU lane: undefined when the view is not open (unless asked to open it). */
  private async viewLane(open: boolean): Promise<EngineLane | undefined> {
    if (!this.view || !this.viewReady) {
      if (!open) return undefined;
      await this.openView();
      if (!this.viewReady) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.readyWaiters.push(resolve);
          timer = setTimeout(resolve, VIEW_OPEN_TIMEOUT_MS);
        });
        clearTimeout(timer);
      }
    }
    return this.view && this.viewReady ? new ViewLane(this.view) : undefined;
  }

  get currentInput(): ViewInput {
    return this.input;
  }

  get lastResult(): ProfileReport | null {
    return this.last;
  }

  get lastSweepResult(): SweepReport | null {
    return this.lastSweep;
  }

  /** The view's "Show log": the log, in the Output panel. */
  showLog(): void {
    this.log.show(true);
  }

  /** The whole state, for a view that was (re)created. */
  sendState(): void {
    const running = this.running ? { id: this.running.id, label: this.running.label } : null;
    this.view?.emit('state', { input: this.input, running, last: this.last, lastSweep: this.lastSweep, sweepLengths: this.sweepLengths, message: this.message });
  }

  setInput(input: ViewInput, fromView: boolean): void {
    this.input = input;
    if (!fromView) this.view?.emit('setInput', input);
    this.scheduleTokenCount();
  }

  /** Messages from the view that are about results (exports, saving). */
  async handleResultAction(
    m: { type: 'export'; payload: HostEvents['export'] } | { type: 'exportImages'; payload: HostEvents['exportImages'] } | { type: 'save'; payload: HostEvents['save'] },
  ): Promise<void> {
    try {
      if (m.type === 'exportImages') {
        const folder = await exportImages(m.payload.images);
        if (folder) this.notice('info', `Exported ${m.payload.images.length} PNG files to ${folder.fsPath}.`);
        return;
      }
      const source = m.payload.source;
      const content = this.content(source);
      if (!content) {
        this.notice('error', `There is no ${source} to ${m.type === 'save' ? 'save' : 'export'} yet.`);
        return;
      }
      const target = m.type === 'save' ? await saveRun(content) : await exportToFile(m.payload.format, content, this.extensionUri);
      if (target) this.notice('info', `${m.type === 'save' ? 'Saved' : 'Exported'} ${vscode.workspace.asRelativePath(target)}.`);
    } catch (err) {
      this.notice('error', `Could not write the file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Starts a run on the given text (a run or sweep in progress is cancelled first). */
  async run(input: ViewInput, options: { notification: boolean }): Promise<void> {
    this.input = input;
    if (!(await this.takeTurn())) return;
    if (input.text.trim() === '') {
      this.fail('Nothing to profile: select text in an editor, or paste text or "ids: 1, 2, 3" into the box above.');
      return;
    }
    const read = readRunSettings(input.tokenizer);
    if (!read.ok) {
      this.fail(read.error);
      return;
    }
    const settings = read.settings;
    const id = this.start(`Profiling ${settings.variants.length} variants: choosing the backend (${settings.backend})`, read.notes);
    const startedAt = performance.now();
    this.log.info(logLines.runRequest(id, settings));
    let notify: ((e: ProgressEvent) => void) | undefined;
    const call = await this.launch(id, settings.backend, input, settings.maxTokens, (choice) =>
      choice.lane.run(choice.input, { ...settings, ...(choice.auto ? { auto: choice.auto } : {}) }, (event) => {
        this.view?.emit('progress', { id, event });
        notify?.(event);
      }),
    );
    if (!call) return;
    if (options.notification) {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Attention profiler', cancellable: true }, (progress, token) => {
        this._register(token.onCancellationRequested(() => void call.cancel()));
        notify = (event) => {
          if (event.kind === 'variant' && event.phase === 'compiling') {
            progress.report({ message: `${event.index + 1}/${event.total} ${event.id}`, increment: event.index === 0 ? 0 : 100 / event.total });
          }
        };
        return call.result.catch(() => undefined);
      });
    }
    try {
      const report = await call.result;
      for (const line of logLines.report(id, report, performance.now() - startedAt)) this.log.info(line);
      if (!this.finish(id)) return;
      if (report.cancelled) {
        this.end(id, 'cancelled', CANCELLED);
        return;
      }
      this.last = report;
      this.view?.emit('result', { id, report });
      const failed = report.variants.filter((v) => v.status === 'failed').map((v) => v.id);
      this.end(id, 'done', failed.length > 0 ? `Done; ${failed.join(', ')} failed (see their cards).` : `Done: ${report.variants.length} variants on ${report.input.n} tokens.`);
    } catch (err) {
      this.logFailure(id, err, startedAt);
      if (this.finish(id)) this.endWithFailure(id, err, CANCELLED);
    }
  }

  /** A length sweep; the input's tokens are cycled to each length (synthetic ids if it is empty). */
  async sweep(input: ViewInput, lengthsText: string): Promise<void> {
    this.input = input;
    this.sweepLengths = lengthsText;
    if (!(await this.takeTurn())) return;
    const read = readSweepSettings(input.tokenizer, lengthsText);
    if (!read.ok) {
      this.fail(read.error);
      return;
    }
    const settings = read.settings;
    const id = this.start(`Sweeping ${settings.variants.length} variants over N = ${settings.lengths.join(', ')}: choosing the backend (${settings.backend})`, read.notes);
    const startedAt = performance.now();
    this.log.info(logLines.sweepRequest(id, settings));
    let meta: SweepMeta | undefined;
    const points = new Map<VariantId, SweepPoint[]>();
    const call = await this.launch(id, settings.backend, input, maxTokensSetting(), (choice) =>
      choice.lane.sweep(choice.input, { ...settings, ...(choice.auto ? { auto: choice.auto } : {}) }, (event) => {
        if (event.kind === 'start') meta = event.meta;
        // A later round of a point replaces the earlier one (its samples include them).
        if (event.kind === 'measured') points.set(event.id, [...(points.get(event.id) ?? []).filter((p) => p.n !== event.point.n), event.point]);
        this.view?.emit('sweepProgress', { id, event });
      }),
    );
    if (!call) return;
    try {
      const sweep = await call.result;
      for (const line of logLines.sweep(id, sweep, performance.now() - startedAt)) this.log.info(line);
      if (!this.finish(id)) return;
      this.showSweep(id, sweep);
      this.end(
        id,
        sweep.cancelled ? 'cancelled' : 'done',
        sweep.cancelled ? 'The sweep was cancelled; the points measured are shown.' : `Sweep done: ${sweep.variants.length} variants over ${settings.lengths.length} lengths.`,
      );
    } catch (err) {
      this.logFailure(id, err, startedAt);
      if (!this.finish(id)) return;
      // The lane was stopped or died: keep the points it had streamed.
      const hasPoints = [...points.values()].some((p) => p.length > 0);
      if (meta && hasPoints) this.showSweep(id, summarizeSweep(meta, points, true));
      this.endWithFailure(id, err, hasPoints ? 'The sweep was cancelled; the points measured are shown.' : 'The sweep was cancelled.');
    }
  }

  /**
   * Chooses the lane (probing across lanes for auto) and starts the call there; undefined when
   * the choice failed (the failure is shown) or the request was cancelled or replaced meanwhile.
   */
  private async launch<R>(
    id: number,
    backend: RunSettings['backend'],
    input: ViewInput,
    maxTokens: number,
    start: (choice: LaneChoice) => LaneCall<R>,
  ): Promise<LaneCall<R> | undefined> {
    let choice: LaneChoice;
    const choosing = performance.now();
    try {
      choice = await chooseLane({ worker: this.worker, view: (open) => this.viewLane(open) }, backend, input.text, input.tokenizer, maxTokens);
    } catch (err) {
      this.logFailure(id, err, choosing);
      if (this.finish(id)) this.endWithFailure(id, err, CANCELLED);
      return undefined;
    }
    this.log.info(logLines.laneChosen(id, choice.laneName, performance.now() - choosing));
    for (const line of logLines.probes(id, choice.auto?.known ?? [])) this.log.info(line);
    const running = this.running;
    if (running?.id !== id) {
      this.log.info(`#${id}: not started, a newer request replaced it`);
      return undefined;
    }
    const call = start(choice);
    running.call = call;
    running.label = running.label.replace(/: choosing the backend \([^)]*\)$/u, ` in the ${choice.laneName === 'view' ? "view's GPU lane" : 'worker'}`);
    this.view?.emit('runStarted', { id, label: running.label });
    return call;
  }

  /** Stops the run or sweep going on, if any; resolves when it is over. */
  async cancel(): Promise<void> {
    const running = this.running;
    if (!running) return;
    if (running.call) {
      await running.call.cancel();
      return;
    }
    // Still choosing its backend: nothing runs yet, so it simply ends here.
    if (this.finish(running.id)) this.end(running.id, 'cancelled', CANCELLED);
  }

  /**
   * Called by every new request: cancels the one going on and waits for it to end. False when a
   * newer request arrived meanwhile (the last click wins).
   */
  private async takeTurn(): Promise<boolean> {
    const mine = ++this.latestRequest;
    while (this.running) {
      const current = this.running;
      this.log.info(`#${current.id}: cancelled by a new request`);
      await this.cancel();
      await current.call?.result.catch(() => undefined);
      if (this.running === current) this.running = null;
    }
    return mine === this.latestRequest;
  }

  private content(source: 'run' | 'sweep'): ReportContent | undefined {
    if (source === 'run') return this.last ? { kind: 'run', report: this.last } : undefined;
    return this.lastSweep ? { kind: 'sweep', sweep: this.lastSweep } : undefined;
  }

  private start(label: string, notes: string[]): number {
    const id = this.nextId++;
    this.running = { id, label };
    this.message = null;
    this.notes = notes;
    this.warnOnce(notes);
    this.view?.emit('runStarted', { id, label });
    return id;
  }

  /** Marks the call over; false when another has replaced it meanwhile. */
  private finish(id: number): boolean {
    if (this.running?.id !== id) return false;
    this.running = null;
    return true;
  }

  private showSweep(id: number, sweep: SweepReport): void {
    this.lastSweep = sweep;
    this.view?.emit('sweepResult', { id, sweep });
  }

  private endWithFailure(id: number, err: unknown, cancelledText: string): void {
    const failure = runFailureOf(err);
    if (failure.kind === 'cancelled') this.end(id, 'cancelled', cancelledText);
    else if (failure.kind === 'workerDied') this.end(id, 'workerDied', failure.message);
    else this.end(id, 'failed', failure.detail ? describeForUser(failure.detail) : failure.message, failure.kind === 'userError');
  }

  private end(id: number, outcome: RunOutcome, given: string, inputError = false): void {
    const text = [given, ...this.notes].join(' ');
    this.notes = [];
    this.message = { kind: outcome === 'done' || outcome === 'cancelled' ? 'info' : 'error', text };
    this.view?.emit('runEnded', { id, outcome, message: text });
    if (inputError) this.view?.emit('inputError', { message: text });
  }

  private fail(text: string): void {
    this.log.warn(`not started: ${text}`);
    this.message = { kind: 'error', text };
    this.view?.emit('inputError', { message: text });
  }

  private notice(kind: 'info' | 'error', text: string): void {
    if (kind === 'error') this.log.error(text);
    this.view?.emit('notice', { kind, text });
  }

  /** A failed call in the log: its line, and the error with its stack unless it was a cancel or the user's input. */
  private logFailure(id: number, err: unknown, startedAt: number): void {
    const failure = runFailureOf(err);
    const line = logLines.failure(id, failure, performance.now() - startedAt);
    if (failure.kind === 'cancelled') this.log.info(line);
    else if (failure.kind === 'userError') this.log.warn(line);
    else {
      this.log.error(line);
      // An Error first: the channel writes its stack.
      this.log.error(err instanceof Error ? err : failure);
    }
  }

  /** Settings notes go to the log each time, and to a warning the first time. */
  private warnOnce(notes: string[]): void {
    for (const note of notes) {
      this.log.warn(note);
      if (this.warned.has(note)) continue;
      this.warned.add(note);
      void vscode.window.showWarningMessage(note);
    }
  }

  /** Token count of the input, debounced; only once the user has typed (the worker starts on use). */
  private scheduleTokenCount(): void {
    clearTimeout(this.countTimer);
    const input = this.input;
    if (input.text.trim() === '') return;
    this.countTimer = setTimeout(() => {
      void this.worker.countTokens(input.text, input.tokenizer, maxTokensSetting()).then((r) => {
        if (this.input !== input) return;
        this.view?.emit('tokenCount', { text: input.text, tokenizer: input.tokenizer, ...r });
      });
    }, 300);
  }

  override dispose(): void {
    clearTimeout(this.countTimer);
    super.dispose();
  }
}
