import * as vscode from 'vscode';
import { fromViewSchema, parseMessage, type ToView } from '../protocol';
import { makeNonce, webviewHtml } from '../webview-html';
import { Disposable } from './disposable';
import type { RunController } from './run-controller';

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
    mode,
  });
}

/**
 * The Attention comparison view: a webview with a strict CSP, talking only through the typed
 * protocol. Views are destroyed when hidden, so on every (re)creation the view asks for the state
 * ('ready') and the controller re-posts it.
 */
export class AttentionViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: RunController,
    private readonly selectedText: () => string | undefined,
  ) {
    super();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webview = view.webview;
    webview.options = webviewOptions(this.extensionUri);
    webview.html = viewHtml(webview, this.extensionUri, 'live');
    this.controller.attachView({ post: (m) => this.post(m) });
    this._register(webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    this._register(
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.controller.attachView(undefined);
        }
      }),
    );
  }

  reveal(): void {
    this.view?.show?.(true);
  }

  private post(message: ToView): void {
    void this.view?.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const parsed = parseMessage(fromViewSchema, raw);
    if (!parsed.ok) {
      this.post({ type: 'inputError', message: `The view sent a malformed message (${parsed.error}).` });
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'ready':
        this.controller.sendState();
        return;
      case 'run':
        void this.controller.run(m.input, { notification: false });
        return;
      case 'cancel':
        void this.controller.cancel();
        return;
      case 'inputChanged':
        this.controller.setInput(m.input, true);
        return;
      case 'sweep':
        void this.controller.sweep(m.input, m.lengths);
        return;
      case 'export':
      case 'exportImages':
      case 'save':
        void this.controller.handleResultAction(m);
        return;
      case 'compare':
        return;
      case 'useSelection': {
        const text = this.selectedText();
        if (!text) this.post({ type: 'inputError', message: 'No text is selected in an editor.' });
        else this.controller.setInput({ ...this.controller.currentInput, text }, false);
        return;
      }
    }
  }
}
