import type { Handlers } from '../src/protocol/channel';
import { CallFailure, Endpoint, type PendingCall } from '../src/protocol/channel';
import { engineClientSide, engineSide, type EngineClientSide, type EngineSide } from '../src/protocol/engine';
import type { ViewSide } from '../src/protocol/view';
import type { ErrorDetail } from '../src/model/errors';

/** How long a cooperative cancel may take before the lane's worker is terminated (as the worker thread's). */
const CANCEL_GRACE_MS = 600;

interface LaneWorker {
  worker: Worker;
  endpoint: Endpoint<EngineClientSide, EngineSide>;
}

/**
 * The view's GPU lane: a dedicated Web Worker (src/lane, built to dist/webview/lane.js) that
 * runs the engine on the view's Chromium. The view serves the host's probe, profile and sweep
 * calls by forwarding them to it. The worker script is fetched from the view's own resources and
 * started from a blob (a webview cannot start a worker from its resource origin); the CSP allows
 * exactly that (connect-src for the resources, worker-src blob:). A cancel is forwarded; a worker
 * whose kernel runs on past the grace period is terminated, and the next call starts a fresh one.
 */
export class GpuLane {
  private lane: LaneWorker | undefined;
  private starting: Promise<LaneWorker> | undefined;

  constructor(private readonly scriptUrl: string) {}

  /** The view side's handlers for the lane's methods. */
  handlers(): Pick<Handlers<ViewSide>, 'probe' | 'profile' | 'sweep'> {
    return {
      probe: (request, call) => this.forward((lane) => lane.endpoint.call('probe', request), call),
      profile: (request, call) => this.forward((lane) => lane.endpoint.call('profile', request, (e) => call.progress(e)), call),
      sweep: (request, call) => this.forward((lane) => lane.endpoint.call('sweep', request, (e) => call.progress(e)), call),
    };
  }

  private async forward<R>(start: (lane: LaneWorker) => PendingCall<R>, call: { onCancel(listener: () => void): void }): Promise<R> {
    const lane = await this.ensure();
    const pending = start(lane);
    call.onCancel(() => {
      lane.endpoint.cancel(pending.id);
      setTimeout(() => {
        if (lane.endpoint.isPending(pending.id)) this.stop(lane, { code: 'cancelled', message: 'cancelled: the GPU lane worker was stopped in the middle of a kernel' });
      }, CANCEL_GRACE_MS);
    });
    return pending.result;
  }

  private ensure(): Promise<LaneWorker> {
    if (this.lane) return Promise.resolve(this.lane);
    this.starting ??= this.start().then(
      (lane) => {
        this.lane = lane;
        this.starting = undefined;
        return lane;
      },
      (err: unknown) => {
        this.starting = undefined;
        throw new CallFailure({ code: 'stopped', message: `the view's GPU lane could not start: ${err instanceof Error ? err.message : String(err)}` });
      },
    );
    return this.starting;
  }

  private async start(): Promise<LaneWorker> {
    const response = await fetch(this.scriptUrl);
    if (!response.ok) throw new Error(`its script did not load (${response.status} ${response.statusText})`);
    const blob = new Blob([await response.text()], { type: 'text/javascript' });
    const url = URL.createObjectURL(blob);
    const worker = new Worker(url, { name: 'attention-profiler-gpu-lane' });
    URL.revokeObjectURL(url);
    const endpoint = new Endpoint<EngineClientSide, EngineSide>(
      engineClientSide,
      engineSide,
      {
        post: (message, transfer = []) =>
          worker.postMessage(
            message,
            transfer.filter((b) => b instanceof ArrayBuffer),
          ),
        listen: (listener) => {
          const onMessage = (e: MessageEvent) => listener(e.data);
          worker.addEventListener('message', onMessage);
          return () => worker.removeEventListener('message', onMessage);
        },
      },
      { methods: {}, events: {} },
    );
    const lane = { worker, endpoint };
    worker.addEventListener('error', (e) => this.stop(lane, { code: 'stopped', message: `the view's GPU lane worker stopped: ${e.message || 'a script error'}` }));
    return lane;
  }

  /** Ends the lane worker's calls with a reason and terminates it; the next call starts a fresh one. */
  private stop(lane: LaneWorker, detail: ErrorDetail): void {
    if (this.lane === lane) this.lane = undefined;
    lane.endpoint.failAll(detail);
    lane.endpoint.dispose();
    lane.worker.terminate();
  }
}
