import type { BackendName } from '../model/backends';
import type { ProbeResult } from '../model/probe';
import type { ProfileReport, ProgressEvent } from '../model/report';
import type { RunSettings, SweepSettings } from '../model/settings';
import type { SweepProgress, SweepReport } from '../model/sweep';
import type { Endpoint, PendingCall } from '../protocol/channel';
import type { EngineInput } from '../protocol/engine';
import type { HostSide, ViewSide } from '../protocol/view';
import { readFailures, type EngineLane, type LaneCall } from './worker-client';

/**
 * The view's GPU lane seen from the extension host: calls to the Attention comparison view, which
 * forwards them to its lane worker (webview/lane.ts). The view stops a lane worker whose kernel
 * runs on after a cancel; when the view itself goes away, its calls end with that reason.
 */
export class ViewLane implements EngineLane {
  constructor(private readonly endpoint: Endpoint<HostSide, ViewSide>) {}

  probe(backends: BackendName[]): Promise<ProbeResult[]> {
    return this.track(this.endpoint.call('probe', { backends })).result;
  }

  run(input: EngineInput, settings: RunSettings, onProgress: (e: ProgressEvent) => void): LaneCall<ProfileReport> {
    return this.track(this.endpoint.call('profile', { input, settings }, onProgress));
  }

  sweep(input: EngineInput, settings: SweepSettings, onProgress: (e: SweepProgress) => void): LaneCall<SweepReport> {
    return this.track(this.endpoint.call('sweep', { input, settings }, onProgress));
  }

  private track<R>(pending: PendingCall<R>): LaneCall<R> {
    const { result, ended } = readFailures(pending);
    return {
      result,
      cancel: async () => {
        this.endpoint.cancel(pending.id);
        await ended;
      },
    };
  }
}
