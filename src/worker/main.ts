import { parentPort, workerData } from 'node:worker_threads';
import { UserError, errorMessage } from '../core/errors';
import type { VariantMap } from '../core/maps';
import { DEFAULT_SETTINGS, profile } from '../core/profile';
import { sweep } from '../core/sweep';
import { tokenizeUserInput, type Token } from '../core/tokens';
import type { VariantId } from '../core/variants/types';
import { parseIdList } from '../core/tokens';
import { fromWorkerSchema, parseMessage, toWorkerSchema, type FromWorker, type RunSettings, type WireMap } from '../protocol';

/**
 * The profiling worker: runs the core for the extension host, off the host's event loop.
 * Cancellation is a shared flag the host sets (checked between kernels); the host terminates
 * the worker if a kernel runs on for too long.
 */
const port = parentPort;
if (!port) throw new Error('the profiling worker must run in a worker thread');
const cancelFlag = new Int32Array((workerData as { cancelBuffer: SharedArrayBuffer }).cancelBuffer);

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (raw: unknown) => {
  const parsed = parseMessage(toWorkerSchema, raw);
  if (!parsed.ok) {
    post({ type: 'protocolError', message: `the worker refused a message: ${parsed.error}` });
    return;
  }
  const message = parsed.message;
  if (message.type === 'countTokens') {
    try {
      const count = tokenizeUserInput(message.text, message.tokenizer).length;
      post({ type: 'tokenCount', requestId: message.requestId, count, ...(count > message.maxTokens ? { error: `${count} tokens: more than the limit of ${message.maxTokens}` } : {}) });
    } catch (err) {
      post({ type: 'tokenCount', requestId: message.requestId, error: errorMessage(err) });
    }
    return;
  }
  if (message.type === 'sweep') {
    void runSweep(message.runId, message.text, message.settings, message.lengths, message.pointBudgetMs);
    return;
  }
  void run(message.runId, message.text, message.settings);
});

/** The sweep's tokens: the input's, cycled to each length, or none (synthetic ids). */
function sweepTokens(text: string, settings: RunSettings): Token[] | undefined {
  if (text.trim() === '') return undefined;
  return tokenizeUserInput(text, settings.tokenizer);
}

async function runSweep(runId: number, text: string, settings: RunSettings, lengths: number[], pointBudgetMs: number): Promise<void> {
  try {
    const tokens = sweepTokens(text, settings);
    const report = await sweep(
      {
        variants: settings.variants,
        lengths,
        backend: settings.backend,
        d: settings.d,
        seed: settings.seed,
        causal: settings.causal,
        params: settings.params as Partial<Record<VariantId, Record<string, string | number | boolean>>>,
        ...(tokens ? { tokens } : {}),
        memoryBudgetBytes: settings.memoryBudgetBytes,
        pointBudgetMs,
        threads: settings.threads,
      },
      {
        onProgress: (event) => post({ type: 'sweepProgress', runId, event }),
        onPoint: (id, point) => post({ type: 'sweepPoint', runId, id, point }),
        shouldCancel: () => Atomics.load(cancelFlag, 0) === 1,
      },
    );
    post({ type: 'sweepResult', runId, sweep: report });
  } catch (err) {
    post({ type: 'runError', runId, message: errorMessage(err), userError: err instanceof UserError });
  }
}

async function run(runId: number, text: string, settings: RunSettings): Promise<void> {
  const maps: WireMap[] = [];
  try {
    const isIds = /^\s*ids:/iu.test(text);
    if (isIds) parseIdList(text); // the error names the bad id before anything else runs
    const report = await profile(
      {
        ...DEFAULT_SETTINGS,
        input: isIds ? { kind: 'ids', ids: text, tokenizer: settings.tokenizer } : { kind: 'text', text, tokenizer: settings.tokenizer, source: 'editor text' },
        variants: settings.variants,
        backend: settings.backend,
        d: settings.d,
        seed: settings.seed,
        causal: settings.causal,
        params: settings.params as Partial<Record<VariantId, Record<string, string | number | boolean>>>,
        timeBudgetMs: settings.timeBudgetMs,
        memoryBudgetBytes: settings.memoryBudgetBytes,
        maxTokens: settings.maxTokens,
        mapSize: settings.mapSize,
        threads: settings.threads,
      },
      {
        onProgress: (event) => post({ type: 'progress', runId, event }),
        shouldCancel: () => Atomics.load(cancelFlag, 0) === 1,
        onMap: (id, map) => maps.push(toWire(id, map)),
      },
    );
    const message: FromWorker = { type: 'result', runId, result: { report, maps } };
    // Checked here too, so that a bug shows as a message rather than as a blank panel.
    const checked = parseMessage(fromWorkerSchema, message);
    if (!checked.ok) throw new Error(`the worker built an invalid result: ${checked.error}`);
    post(message, maps.map((m) => m.values.buffer as ArrayBuffer));
  } catch (err) {
    post({ type: 'runError', runId, message: errorMessage(err), userError: err instanceof UserError });
  }
}

function toWire(id: VariantId, map: VariantMap): WireMap {
  return { id, kind: map.kind, rows: map.rows, cols: map.cols, sourceRows: map.sourceRows, sourceCols: map.sourceCols, rowQuery: map.rowQuery, values: map.values as Float32Array<ArrayBuffer> };
}
