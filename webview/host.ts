import { Endpoint, type EventHandlers, type Handlers } from '../src/protocol/channel';
import { hostSide, viewSide, type HostSide, type ViewSide } from '../src/protocol/view';

/**
 * The seam between the view and VS Code: the app never calls acquireVsCodeApi() itself, so a test
 * page can stand in for VS Code by defining it. Messages go through the view's typed channel.
 */
export interface Host {
  endpoint: Endpoint<ViewSide, HostSide>;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

export function connectHost(methods: Partial<Handlers<ViewSide>>, events: EventHandlers<ViewSide>, onRefused: (reason: string) => void): Host {
  const api = acquireVsCodeApi();
  const endpoint = new Endpoint<ViewSide, HostSide>(
    viewSide,
    hostSide,
    {
      post: (message) => api.postMessage(message),
      listen: (listener) => {
        const onMessage = (e: MessageEvent) => listener(e.data);
        window.addEventListener('message', onMessage);
        return () => window.removeEventListener('message', onMessage);
      },
    },
    { methods, events },
    { onRefused },
  );
  return { endpoint, getState: () => api.getState(), setState: (state) => api.setState(state) };
}
