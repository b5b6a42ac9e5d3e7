import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { RunController } from './run-controller';
import { makeNonce, webviewHtml } from './webview-html';
import { connectWebview } from './webview-port';

export const VIEW_ID = 'attentionProfiler.comparison';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/** The same app in every webview (side view, saved run, comparison), under the same CSP. */
export function viewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, mode: 'live' | 'saved' | 'comparison'): string {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  return webviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.css')).toString(),
    // Only the live view runs the GPU lane.
    ...(mode === 'live' ? { laneUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'lane.js')).toString() } : {}),
    mode,
  });
}

/**
 * The Attention comparison view: a webview with a strict CSP, talking only through its typed
 * channel. Views are destroyed when hidden, so on every (re)creation the view says it is ready
 * and the controller re-sends the state.
 */
export class AttentionViewProvider extends Disposable implements vscode.WebviewViewProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: RunController,
    private readonly selectedText: () => string | undefined,
  ) {
    super();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const webview = view.webview;
    webview.options = webviewOptions(this.extensionUri);
    webview.html = viewHtml(webview, this.extensionUri, 'live');
    const controller = this.controller;
    const endpoint = connectWebview(webview, {
      ready: () => controller.viewIsReady(),
      run: ({ input }) => void controller.run(input, { notification: false }),
      sweep: ({ input, lengths }) => void controller.sweep(input, lengths),
      cancel: () => void controller.cancel(),
      showLog: () => controller.showLog(),
      inputChanged: ({ input }) => controller.setInput(input, true),
      export: (payload) => void controller.handleResultAction({ type: 'export', payload }),
      exportImages: (payload) => void controller.handleResultAction({ type: 'exportImages', payload }),
      save: (payload) => void controller.handleResultAction({ type: 'save', payload }),
      useSelection: () => {
        const text = this.selectedText();
        if (!text) endpoint.emit('inputError', { message: 'No text is selected in an editor.' });
        else controller.setInput({ ...controller.currentInput, text }, false);
      },
    });
    controller.attachView(endpoint);
    this._register({ dispose: () => endpoint.dispose() });
    this._register(
      view.onDidDispose(() => {
        endpoint.failAll({ code: 'stopped', message: 'The Attention comparison view was closed during the run; its GPU lane stopped with it.' });
        endpoint.dispose();
        controller.attachView(undefined);
      }),
    );
  }
}
