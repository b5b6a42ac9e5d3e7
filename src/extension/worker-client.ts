import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SweepPoint, SweepReport } from '../core/report';
import type { VariantId } from '../core/variants/ids';
import { fromWorkerSchema, parseMessage, type ProgressMessage, type RunResult, type RunSettings, type SweepProgressMessage, type ToWorker } from '../protocol';
import type { TokenizerName } from '../core/tokenizer-names';

/** Why a run ended without a result. */
export class RunFailure extends Error {
  constructor(
    readonly kind: 'userError' | 'failed' | 'cancelled' | 'workerDied',
    message: string,
  ) {
    super(message);
  }
}

interface PendingRun {
  resolve(result: RunResult): void;
  resolveSweep?(sweep: SweepReport): void;
  reject(err: RunFailure): void;
  onProgress(event: ProgressMessage): void;
  onSweepProgress?(event: SweepProgressMessage): void;
  onSweepPoint?(id: VariantId, point: SweepPoint): void;
}

/** How long a cooperative cancel may take before the worker is terminated. */
export const CANCEL_GRACE_MS = 600;

/**
 * The profiling worker seen from the extension host: started on first use, one per window,
 * with resource limits; runs one profile at a time. Cancel sets a flag the worker checks between
 * kernels; if the worker does not answer within CANCEL_GRACE_MS (a long kernel), it is terminated
 * and the next run starts a fresh one. A worker that dies rejects its run with the reason.
 */
export class ProfilerWorker {
  private worker: Worker | undefined;
  private readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly runs = new Map<number, PendingRun>();
  private readonly counts = new Map<number, (r: { count?: number; error?: string }) => void>();
  private nextRequestId = 1;
  private stderrTail = '';

  constructor(
    private readonly scriptPath: string,
    private readonly resourceLimits = { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 256 },
  ) {}

  get started(): boolean {
    return this.worker !== undefined;
  }

  run(runId: number, text: string, settings: RunSettings, onProgress: (e: ProgressMessage) => void): Promise<RunResult> {
    Atomics.store(this.cancelFlag, 0, 0);
    return new Promise<RunResult>((resolve, reject) => {
      this.runs.set(runId, { resolve, reject, onProgress });
      const failure = this.post({ type: 'run', runId, text, settings });
      if (failure) this.settle(runId, (p) => p.reject(new RunFailure('workerDied', failure)));
    });
  }

  /** A sweep; points are streamed as they are measured, so a stopped sweep keeps them. */
  sweep(
    runId: number,
    request: { text: string; settings: RunSettings; lengths: number[]; pointBudgetMs: number },
    on: { progress(e: SweepProgressMessage): void; point(id: VariantId, p: SweepPoint): void },
  ): Promise<SweepReport> {
    Atomics.store(this.cancelFlag, 0, 0);
    return new Promise<SweepReport>((resolve, reject) => {
      this.runs.set(runId, {
        resolve: () => reject(new RunFailure('failed', 'the worker answered a sweep with a run result')),
        resolveSweep: resolve,
        reject,
        onProgress: () => {},
        onSweepProgress: on.progress,
        onSweepPoint: on.point,
      });
      const failure = this.post({ type: 'sweep', runId, ...request });
      if (failure) this.settle(runId, (p) => p.reject(new RunFailure('workerDied', failure)));
    });
  }

  countTokens(text: string, tokenizer: TokenizerName, maxTokens: number): Promise<{ count?: number; error?: string }> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      this.counts.set(requestId, resolve);
      const failure = this.post({ type: 'countTokens', requestId, text, tokenizer, maxTokens });
      if (failure) {
        this.counts.delete(requestId);
        resolve({ error: failure });
      }
    });
  }

  /** Asks the worker to stop; terminates it when it does not answer in time. Resolves when the run is over. */
  async cancel(): Promise<'cooperative' | 'terminated' | 'idle'> {
    if (this.runs.size === 0) return 'idle';
    Atomics.store(this.cancelFlag, 0, 1);
    const settled = await this.waitForRuns(CANCEL_GRACE_MS);
    if (settled) return 'cooperative';
    this.stop(new RunFailure('cancelled', 'cancelled: the worker was stopped in the middle of a kernel'));
    return 'terminated';
  }

  dispose(): void {
    this.stop(new RunFailure('cancelled', 'the extension was deactivated'));
  }

  /** Sends a message, starting the worker if needed; returns why it could not, if it could not. */
  private post(message: ToWorker): string | undefined {
    try {
      this.ensure().postMessage(message);
      return undefined;
    } catch (err) {
      this.worker = undefined;
      return `The profiling worker could not start: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath, {
      workerData: { cancelBuffer: this.cancelFlag.buffer },
      resourceLimits: this.resourceLimits,
      stderr: true,
    });
    this.stderrTail = '';
    worker.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    worker.on('message', (raw: unknown) => this.onMessage(raw));
    worker.on('error', (err: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      const reason = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory (worker resource limits)' : `it crashed: ${err.message}`;
      this.died(reason);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.died(`it exited with code ${code}${this.stderrTail ? ` (${this.stderrTail.trim().split('\n').pop()})` : ''}`);
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(raw: unknown): void {
    const parsed = parseMessage(fromWorkerSchema, raw);
    if (!parsed.ok) {
      this.failAll(new RunFailure('failed', `the worker sent a malformed message (${parsed.error})`));
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'progress':
        this.runs.get(m.runId)?.onProgress(m.event);
        return;
      case 'result':
        this.settle(m.runId, (p) => p.resolve(m.result));
        return;
      case 'runError':
        this.settle(m.runId, (p) => p.reject(new RunFailure(m.userError ? 'userError' : 'failed', m.message)));
        return;
      case 'tokenCount': {
        const done = this.counts.get(m.requestId);
        this.counts.delete(m.requestId);
        done?.({ ...(m.count !== undefined ? { count: m.count } : {}), ...(m.error !== undefined ? { error: m.error } : {}) });
        return;
      }
      case 'protocolError':
        this.failAll(new RunFailure('failed', m.message));
        return;
      case 'sweepProgress':
        this.runs.get(m.runId)?.onSweepProgress?.(m.event);
        return;
      case 'sweepPoint':
        this.runs.get(m.runId)?.onSweepPoint?.(m.id, m.point);
        return;
      case 'sweepResult':
        this.settle(m.runId, (p) => (p.resolveSweep ? p.resolveSweep(m.sweep) : p.reject(new RunFailure('failed', 'the worker answered a run with a sweep result'))));
        return;
    }
  }

  private settle(runId: number, fn: (p: PendingRun) => void): void {
    const pending = this.runs.get(runId);
    if (!pending) return;
    this.runs.delete(runId);
    fn(pending);
  }

  private died(reason: string): void {
    this.worker = undefined;
    this.failAll(new RunFailure('workerDied', `The profiling worker stopped: ${reason}. The next run starts a fresh worker.`));
  }

  private failAll(err: RunFailure): void {
    for (const [id, p] of this.runs) {
      this.runs.delete(id);
      p.reject(err);
    }
    for (const [id, done] of this.counts) {
      this.counts.delete(id);
      done({ error: err.message });
    }
  }

  private stop(err: RunFailure): void {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(err);
    if (worker) void worker.terminate();
  }

  private async waitForRuns(timeoutMs: number): Promise<boolean> {
    const start = Date.now();
    while (this.runs.size > 0 && Date.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 20));
    return this.runs.size === 0;
  }
}

export function workerScript(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'worker.js');
}
