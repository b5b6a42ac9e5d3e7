import { browserPlatform } from '../engine/browser/platform';
import { installPlatform } from '../engine/platform';
import { Endpoint, type Port } from '../protocol/channel';
import { engineClientSide, engineSide, type EngineClientSide, type EngineSide } from '../protocol/engine';
import { engineHandlers } from '../service/engine-service';

/**
 * The view's GPU lane: a dedicated Web Worker of the Attention comparison view that runs the
 * engine with gpu.js's browser backends (WebGPU, then WebGL2 through an OffscreenCanvas), so the
 * view stays responsive. It serves the same engine channel as the extension's worker thread; the
 * view forwards the host's calls to it. It has no tokenizer (the host sends tokens). A cancel
 * reaches it as a message between kernels; a kernel that runs on is ended by the view, which
 * terminates this worker and starts a fresh one.
 */
interface WorkerScope {
  postMessage(message: unknown, transfer?: ArrayBufferLike[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

installPlatform(browserPlatform);

const port: Port = {
  post: (message, transfer = []) =>
    scope.postMessage(
      message,
      transfer.filter((b) => b instanceof ArrayBuffer),
    ),
  listen: (listener) => {
    const onMessage = (event: { data: unknown }) => listener(event.data);
    scope.addEventListener('message', onMessage);
    return () => scope.removeEventListener('message', onMessage);
  },
};

new Endpoint<EngineSide, EngineClientSide>(engineSide, engineClientSide, port, { methods: engineHandlers({ isCancelled: () => false, canTokenize: false }), events: {} });
