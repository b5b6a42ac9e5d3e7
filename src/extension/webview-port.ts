import type * as vscode from 'vscode';
import { Endpoint } from '../protocol/channel';
import { hostSide, viewSide, type HostSide, type ViewSide } from '../protocol/view';
import type { EventHandlers } from '../protocol/channel';

/** The host's end of a webview's channel: what the view sends arrives at `events`, validated. */
export function connectWebview(webview: vscode.Webview, events: Partial<EventHandlers<HostSide>>): Endpoint<HostSide, ViewSide> {
  const endpoint: Endpoint<HostSide, ViewSide> = new Endpoint(
    hostSide,
    viewSide,
    {
      post: (message) => void webview.postMessage(message),
      listen: (listener) => {
        const subscription = webview.onDidReceiveMessage(listener);
        return () => {
          subscription.dispose();
        };
      },
    },
    { methods: {}, events },
    { onRefused: (reason) => endpoint.emit('inputError', { message: `The view sent ${reason}.` }) },
  );
  return endpoint;
}
