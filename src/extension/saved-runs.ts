import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReportContent } from '../model/content';
import { parseSaved } from '../model/exports';
import { Disposable } from './disposable';
import { SavedRunSession } from './saved-run-session';
import { viewHtml, webviewOptions } from './view-provider';
import { connectWebview } from './webview-port';

export const SAVED_RUN_EDITOR = 'attentionProfiler.savedRun';
export const COMPARE_COMMAND = 'attentionProfiler.compareRuns';

async function readSaved(uri: vscode.Uri): Promise<ReportContent> {
  const parsed = parseSaved(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  if (!parsed.ok) throw new Error(`${path.basename(uri.fsPath)}: ${parsed.error}`);
  return parsed.content;
}

/** A saved run opened in its editor: the editor reads the file itself. */
interface SavedRunDocument extends vscode.CustomDocument {
  readonly uri: vscode.Uri;
}

/** How long a burst of file events (a large file being written) is waited out before it is read again. */
const CHANGE_SETTLE_MS = 150;

/**
 * Opening a saved run (*.attnprof.json) shows it with the view's cards and charts, read-only,
 * with a button to compare it with another saved run. A read-only custom editor rather than a
 * text editor: VS Code loads no text document (for a 40 MB file that took half a minute before
 * the editor could say anything), the editor says "Loading NAME (size)..." at once, reads the
 * bytes itself, and shows the file again in place when it changes on disk.
 */
export class SavedRunEditorProvider extends Disposable implements vscode.CustomReadonlyEditorProvider<SavedRunDocument> {
  constructor(private readonly extensionUri: vscode.Uri) {
    super();
  }

  openCustomDocument(uri: vscode.Uri): SavedRunDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: SavedRunDocument, panel: vscode.WebviewPanel): void {
    const uri = document.uri;
    panel.webview.options = webviewOptions(this.extensionUri);
    const load = () => {
      panel.webview.html = viewHtml(panel.webview, this.extensionUri, 'saved');
    };
    const name = path.basename(uri.fsPath);
    const endpoint = connectWebview(panel.webview, {
      ready: () => void session.ready(),
      compare: () => {
        void (async () => {
          try {
            const other = await pickSavedRun('Compare with which saved run?', uri);
            if (other) await openComparison(this.extensionUri, uri, other);
          } catch (err) {
            endpoint.emit('notice', { kind: 'error', text: err instanceof Error ? err.message : String(err) });
          }
        })();
      },
    });
    const session = new SavedRunSession(
      name,
      {
        size: async () => (await vscode.workspace.fs.stat(uri)).size,
        read: async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)),
      },
      {
        notice: (kind, text) => endpoint.emit('notice', { kind, text }),
        show: (shownName, content) => endpoint.emit('showSaved', { name: shownName, content }),
        reload: load,
        // Posting is asynchronous: a moment lets "Loading..." leave before the parse holds the host.
        flush: () => new Promise((resolve) => setTimeout(resolve, 50)),
      },
    );
    load();
    let pending: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      clearTimeout(pending);
      pending = setTimeout(() => void session.changed(), CHANGE_SETTLE_MS);
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name));
    const subscriptions = [watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed)];
    panel.onDidDispose(() => {
      clearTimeout(pending);
      for (const s of subscriptions) s.dispose();
      endpoint.dispose();
    });
  }
}

/** A saved run from the workspace (quick pick), or from anywhere (file dialog). */
async function pickSavedRun(title: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const files = (await vscode.workspace.findFiles('**/*.attnprof.json', '**/node_modules/**', 200)).filter((f) => f.toString() !== exclude?.toString());
  const browse = { label: '$(folder-opened) Browse...', uri: undefined as vscode.Uri | undefined };
  const items = [...files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), browse];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'a saved run (*.attnprof.json)' });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Attention Profiler run': ['json'] }, title });
  return chosen?.[0];
}

/** Two saved runs side by side, with the differences in time, memory and error highlighted. */
export async function openComparison(extensionUri: vscode.Uri, a: vscode.Uri, b: vscode.Uri): Promise<void> {
  const [contentA, contentB] = await Promise.all([readSaved(a), readSaved(b)]);
  const panel = vscode.window.createWebviewPanel(
    'attentionProfiler.compare',
    `Compare: ${path.basename(a.fsPath)} / ${path.basename(b.fsPath)}`,
    vscode.ViewColumn.Active,
    webviewOptions(extensionUri),
  );
  panel.webview.html = viewHtml(panel.webview, extensionUri, 'comparison');
  const endpoint = connectWebview(panel.webview, {
    ready: () => endpoint.emit('showComparison', { a: { name: path.basename(a.fsPath), content: contentA }, b: { name: path.basename(b.fsPath), content: contentB } }),
  });
  panel.onDidDispose(() => endpoint.dispose());
}

/** The command: pick two saved runs and compare them. */
export async function compareSavedRuns(extensionUri: vscode.Uri): Promise<void> {
  const a = await pickSavedRun('First saved run');
  if (!a) return;
  const b = await pickSavedRun('Second saved run', a);
  if (!b) return;
  try {
    await openComparison(extensionUri, a, b);
  } catch (err) {
    void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
  }
}
