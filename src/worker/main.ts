import { parentPort, workerData } from 'node:worker_threads';
import { nodePlatform } from '../engine/node/platform';
import { installPlatform } from '../engine/platform';
import { Endpoint, type Port } from '../protocol/channel';
import { engineClientSide, engineSide, type EngineClientSide, type EngineSide } from '../protocol/engine';
import { engineHandlers } from '../service/engine-service';

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

const isCancelled = (id: number) => Atomics.load(cancelFlag, 0) === id;
new Endpoint<EngineSide, EngineClientSide>(engineSide, engineClientSide, threadPort, { methods: engineHandlers({ isCancelled, canTokenize: true }), events: {} }, { isCancelled });
