import { parentPort, workerData } from 'node:worker_threads';
import { isIdList } from '../model/tokenizers';
import { nodePlatform } from '../engine/node/platform';
import { installPlatform } from '../engine/platform';
import { profile } from '../engine/profile';
import { sweep } from '../engine/sweep';
import { tokenizeUserInput } from '../engine/tokens';
import { Endpoint, type Port } from '../protocol/channel';
import { engineClientSide, engineSide, type EngineClientSide, type EngineSide } from '../protocol/engine';

/**
 * The profiling worker: runs the engine for the extension host, off the host's event loop. Kernels
 * run without yielding to the event loop, so a cancel also arrives through shared memory: the host
 * writes the id of the call it cancels into `cancelBuffer`, and the engine checks it between kernels.
 */
const port = parentPort;
if (!port) throw new Error('the profiling worker must run in a worker thread');
const cancelFlag = new Int32Array((workerData as { cancelBuffer: SharedArrayBuffer }).cancelBuffer);

installPlatform(nodePlatform);

const threadPort: Port = {
  post: (message, transfer = []) =>
    port.postMessage(
      message,
      transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
    ),
  listen: (listener) => {
    port.on('message', listener);
    return () => port.off('message', listener);
  },
};

new Endpoint<EngineSide, EngineClientSide>(
  engineSide,
  engineClientSide,
  threadPort,
  {
    methods: {
      profile: ({ text, settings }, call) =>
        profile(
          { ...settings, input: isIdList(text) ? { kind: 'ids', ids: text } : { kind: 'text', text, source: 'editor text' } },
          { onProgress: (e) => call.progress(e), shouldCancel: () => call.cancelled() },
        ),
      sweep: ({ text, settings }, call) =>
        sweep(
          { ...settings, ...(text.trim() === '' ? {} : { tokens: tokenizeUserInput(text, settings.tokenizer) }) },
          { onProgress: (e) => call.progress(e), shouldCancel: () => call.cancelled() },
        ),
      countTokens: ({ text, tokenizer, maxTokens }) => {
        try {
          const count = tokenizeUserInput(text, tokenizer).length;
          return Promise.resolve({ count, ...(count > maxTokens ? { error: `${count} tokens: more than the limit of ${maxTokens}` } : {}) });
        } catch (err) {
          return Promise.resolve({ error: err instanceof Error ? err.message : String(err) });
        }
      },
    },
    events: {},
  },
  { isCancelled: (id) => Atomics.load(cancelFlag, 0) === id },
);
