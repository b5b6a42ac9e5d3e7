import type { FromView } from '../src/protocol';

/**
 * The seam between the view and VS Code: the app never calls acquireVsCodeApi() itself, so a test
 * page can stand in for VS Code by defining it.
 */
export interface Host {
  post(message: FromView): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

export function connectHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
