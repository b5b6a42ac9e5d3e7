import { VSCODE_AUTO_ORDER, isViewBackend, type BackendChoice, type BackendName } from '../model/backends';
import { passedOverAsSoftware, usableByAuto, type ProbeResult } from '../model/probe';
import type { TokenizerName } from '../model/tokenizers';
import type { EngineInput } from '../protocol/engine';
import type { ProfilerWorker, EngineLane } from './worker-client';

/** Where a run goes: the lane, the input in the form that lane takes, and how its auto chooses. */
export interface LaneChoice {
  lane: EngineLane;
  laneName: 'worker' | 'view';
  input: EngineInput;
  auto?: { order: BackendName[]; known: ProbeResult[] };
}

/** The worker lane, which also tokenizes for the view's lane. */
export type WorkerLane = EngineLane & Pick<ProfilerWorker, 'tokenize'>;

/** What the chooser needs from the controller: the worker, and the view's lane when the view is open. */
export interface Lanes {
  worker: WorkerLane;
  /** The view's GPU lane; `open` reveals the view first (forced view backends), else undefined when it is not open. */
  view(open: boolean): Promise<EngineLane | undefined>;
}

const VIEW_NOT_OPEN = 'the Attention comparison view is not open, and its GPU lane runs only in the view (open it from the activity bar)';

/**
 * Picks the lane of a run or sweep. A forced backend runs in its own lane (a view backend opens
 * the view). `auto` takes the first that passes its probe, in VS Code's order: worker webgpu, view
 * webgpu, view webgl2, worker webasm, cpu, never a software adapter (SwiftShader, llvmpipe) before
 * webasm; every probe's outcome and reason goes into the report. The view's lane has no tokenizer:
 * the worker tokenizes for it.
 */
export async function chooseLane(lanes: Lanes, backend: BackendChoice, text: string, tokenizer: TokenizerName, maxTokens: number): Promise<LaneChoice> {
  const textInput: EngineInput = { kind: 'text', text };
  if (backend !== 'auto' && !isViewBackend(backend)) return { lane: lanes.worker, laneName: 'worker', input: textInput };
  if (backend !== 'auto') {
    const view = await lanes.view(true);
    if (!view) throw new Error(`The ${backend} backend runs in the Attention comparison view, which could not be opened.`);
    return { lane: view, laneName: 'view', input: await tokensFor(lanes.worker, text, tokenizer, maxTokens) };
  }
  const [workerGpu] = await lanes.worker.probe(['webgpu']);
  if (workerGpu && usableByAuto(workerGpu)) return { lane: lanes.worker, laneName: 'worker', input: textInput, auto: { order: [...VSCODE_AUTO_ORDER], known: [] } };
  const known: ProbeResult[] = workerGpu ? [usableOrPassedOver(workerGpu)] : [];
  const view = await lanes.view(false);
  for (const viewBackend of ['view-webgpu', 'view-webgl2'] as const) {
    if (!view) {
      known.push({ backend: viewBackend, ok: false, reason: VIEW_NOT_OPEN });
      continue;
    }
    const [probe] = await view.probe([viewBackend]);
    if (probe && usableByAuto(probe)) {
      return {
        lane: view,
        laneName: 'view',
        input: await tokensFor(lanes.worker, text, tokenizer, maxTokens),
        auto: { order: VSCODE_AUTO_ORDER.slice(VSCODE_AUTO_ORDER.indexOf(viewBackend)), known },
      };
    }
    if (probe) known.push(usableOrPassedOver(probe));
  }
  return { lane: lanes.worker, laneName: 'worker', input: textInput, auto: { order: ['webasm', 'cpu'], known } };
}

function usableOrPassedOver(probe: ProbeResult): ProbeResult {
  return probe.ok && !usableByAuto(probe) ? passedOverAsSoftware(probe) : probe;
}

/** The input as tokens (an empty text stays text: a sweep on synthetic ids). */
async function tokensFor(worker: WorkerLane, text: string, tokenizer: TokenizerName, maxTokens: number): Promise<EngineInput> {
  if (text.trim() === '') return { kind: 'text', text };
  const { tokens, from } = await worker.tokenize(text, tokenizer, maxTokens);
  return { kind: 'tokens', tokens, from };
}
