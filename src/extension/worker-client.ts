import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../model/backends';
import type { ErrorDetail } from '../model/errors';
import { LIMITS } from '../model/limits';
import type { ProbeResult } from '../model/probe';
import type { ProfileReport, ProgressEvent } from '../model/report';
import type { RunSettings, SweepSettings } from '../model/settings';
import type { SweepProgress, SweepReport } from '../model/sweep';
import type { TokenizerName } from '../model/tokenizers';
import { CallFailure, Endpoint, type PendingCall, type Port } from '../protocol/channel';
import { engineClientSide, engineSide, type EngineClientSide, type EngineInput, type EngineSide } from '../protocol/engine';

/** How long a cooperative cancel may take before the worker is terminated. */
export const CANCEL_GRACE_MS = 600;

/** Why a run or sweep ended without a result. */
export class RunFailure extends Error {
  constructor(
    readonly kind: 'userError' | 'failed' | 'cancelled' | 'workerDied',
    message: string,
    /** The engine's error, for the caller to word (absent when the worker died or was stopped). */
    readonly detail?: ErrorDetail,
  ) {
    super(message);
  }
}

/** A call's failure as the controller reads it: the user's doing, a cancel, a lost worker, or a failure. */
export function runFailureOf(err: unknown): RunFailure {
  if (err instanceof RunFailure) return err;
  if (err instanceof CallFailure) {
    const { detail } = err;
    if (detail.code === 'cancelled') return new RunFailure('cancelled', err.message);
    if (detail.code === 'stopped') return new RunFailure('workerDied', err.message);
    if (detail.code === 'internal') return new RunFailure('failed', err.message);
    return new RunFailure('userError', err.message, detail);
  }
  return new RunFailure('failed', err instanceof Error ? err.message : String(err));
}

/** A call's result with its failures read as RunFailures, and a promise that settles once it has ended either way. */
export function readFailures<R>(pending: PendingCall<R>): { result: Promise<R>; ended: Promise<void> } {
  const result = pending.result.catch((err: unknown) => {
    throw runFailureOf(err);
  });
  const ended = result.then(
    () => undefined,
    () => undefined,
  );
  return { result, ended };
}

/** A run or sweep in a lane: its result, and a cancel bound to it. */
export interface LaneCall<R> {
  readonly result: Promise<R>;
  /** Asks the lane to stop this call; resolves when it has ended (the lane stops a kernel that runs on). */
  cancel(): Promise<void>;
}

/** A lane the controller can run in: the worker thread, or the view's GPU worker. */
export interface EngineLane {
  probe(backends: BackendName[]): Promise<ProbeResult[]>;
  run(input: EngineInput, settings: RunSettings, onProgress: (e: ProgressEvent) => void): LaneCall<ProfileReport>;
  sweep(input: EngineInput, settings: SweepSettings, onProgress: (e: SweepProgress) => void): LaneCall<SweepReport>;
}

interface Started {
  worker: Worker;
  endpoint: Endpoint<EngineClientSide, EngineSide>;
  /**
   * The id of the call this worker was told to cancel, in memory shared with it. Each worker has
   * its own: call ids restart at 1 with every endpoint, so a flag shared with a fresh worker would
   * make its call of the same id read an old worker's cancel as its own.
   */
  cancelFlag: Int32Array;
}

/**
 * The profiling worker seen from the extension host: started on first use, one per window, with
 * resource limits. Each run, sweep, probe and token count is a call on the engine channel. Cancel
 * writes the call's id into shared memory (the engine checks it between kernels) and posts a
 * cancel; if that call has not ended within CANCEL_GRACE_MS (a long kernel), the worker is
 * terminated and the next call starts a fresh one. A worker that dies ends its calls with the
 * reason.
 */
export class ProfilerWorker implements EngineLane {
  private current: Started | undefined;
  private stderrTail = '';

  constructor(
    private readonly scriptPath: string,
    private readonly resourceLimits: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } = {
      maxOldGenerationSizeMb: LIMITS.workerHeapMiB,
      maxYoungGenerationSizeMb: LIMITS.workerYoungHeapMiB,
    },
  ) {}

  /** Whether a worker thread is up (it starts on the first call and after a crash on the next one). */
  get started(): boolean {
    return this.current !== undefined;
  }

  run(input: EngineInput, settings: RunSettings, onProgress: (e: ProgressEvent) => void): LaneCall<ProfileReport> {
    return this.track((endpoint) => endpoint.call('profile', { input, settings }, onProgress));
  }

  /** A sweep; measured points are streamed as progress events, so a stopped sweep keeps them. */
  sweep(input: EngineInput, settings: SweepSettings, onProgress: (e: SweepProgress) => void): LaneCall<SweepReport> {
    return this.track((endpoint) => endpoint.call('sweep', { input, settings }, onProgress));
  }

  probe(backends: BackendName[]): Promise<ProbeResult[]> {
    return this.track((endpoint) => endpoint.call('probe', { backends })).result;
  }

  /** The tokens of the user's text (for the view's GPU lane, which has no tokenizer). */
  tokenize(text: string, tokenizer: TokenizerName, maxTokens: number): Promise<{ tokens: Array<{ id: number; text: string }>; from: 'text' | 'ids' }> {
    return this.track((endpoint) => endpoint.call('tokenize', { text, tokenizer, maxTokens })).result;
  }

  async countTokens(text: string, tokenizer: TokenizerName, maxTokens: number): Promise<{ count?: number; error?: string }> {
    try {
      return await this.track((endpoint) => endpoint.call('countTokens', { text, tokenizer, maxTokens })).result;
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  dispose(): void {
    this.stop({ code: 'cancelled', message: 'the extension was deactivated' });
  }

  private track<R>(start: (endpoint: Endpoint<EngineClientSide, EngineSide>) => PendingCall<R>): LaneCall<R> {
    let started: Started;
    try {
      started = this.ensure();
    } catch (err) {
      const failure = new RunFailure('workerDied', `The profiling worker could not start: ${err instanceof Error ? err.message : String(err)}`);
      return { result: Promise.reject(failure), cancel: () => Promise.resolve() };
    }
    const pending = start(started.endpoint);
    const { result, ended } = readFailures(pending);
    return {
      result,
      cancel: async () => {
        if (!started.endpoint.isPending(pending.id)) return;
        Atomics.store(started.cancelFlag, 0, pending.id);
        started.endpoint.cancel(pending.id);
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([
          ended.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), CANCEL_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
        // The timer is bound to this call: a worker that has moved on to another call is left alone.
        if (late && started.endpoint.isPending(pending.id)) {
          this.stop({ code: 'cancelled', message: 'cancelled: the worker was stopped in the middle of a kernel' }, started);
        }
        await ended;
      },
    };
  }

  private ensure(): Started {
    if (this.current) return this.current;
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(this.scriptPath, { workerData: { cancelBuffer: cancelFlag.buffer }, resourceLimits: this.resourceLimits, stderr: true });
    this.stderrTail = '';
    worker.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    const port: Port = {
      post: (message, transfer = []) =>
        worker.postMessage(
          message,
          transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
        ),
      listen: (listener) => {
        worker.on('message', listener);
        return () => worker.off('message', listener);
      },
    };
    const endpoint = new Endpoint<EngineClientSide, EngineSide>(engineClientSide, engineSide, port, { methods: {}, events: {} });
    const started: Started = { worker, endpoint, cancelFlag };
    worker.on('error', (err: Error & { code?: string }) => {
      const reason = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory (worker resource limits)' : `it crashed: ${err.message}`;
      this.died(started, reason);
    });
    worker.on('exit', (code) => this.died(started, `it exited with code ${code}${this.stderrTail ? ` (${this.stderrTail.trim().split('\n').pop() ?? ''})` : ''}`));
    this.current = started;
    return started;
  }

  private died(started: Started, reason: string): void {
    this.stop({ code: 'stopped', message: `The profiling worker stopped: ${reason}. The next run starts a fresh worker.` }, started);
  }

  /** Ends the calls of a worker (the current one unless given) with this reason, and terminates it. */
  private stop(detail: ErrorDetail, which: Started | undefined = this.current): void {
    if (!which) return;
    if (this.current === which) this.current = undefined;
    which.endpoint.failAll(detail);
    which.endpoint.dispose();
    void which.worker.terminate();
  }
}

export function workerScript(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'worker.js');
}
