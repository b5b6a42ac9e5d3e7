import * as path from 'node:path';
import * as vscode from 'vscode';
import { fromViewSchema, parseMessage, savedContentSchema, type SavedContent, type ToView } from '../protocol';
import { Disposable } from './disposable';
import { viewHtml, webviewOptions } from './view-provider';

export const SAVED_RUN_EDITOR = 'attentionProfiler.savedRun';
export const COMPARE_COMMAND = 'attentionProfiler.compareRuns';

/** Reads a *.attnprof.json: the versioned report or sweep, validated; the error names the problem. */
export function parseSaved(text: string): { ok: true; content: SavedContent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = parseMessage(savedContentSchema, json);
  return parsed.ok ? { ok: true, content: parsed.message } : { ok: false, error: `not an Attention Profiler run or sweep (${parsed.error})` };
}

async function readSaved(uri: vscode.Uri): Promise<SavedContent> {
  const parsed = parseSaved(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  if (!parsed.ok) throw new Error(`${path.basename(uri.fsPath)}: ${parsed.error}`);
  return parsed.content;
}

/**
 * Opening a saved run (*.attnprof.json) shows it with the view's cards and charts, read-only,
 * with a button to compare it with another saved run.
 */
export class SavedRunEditorProvider extends Disposable implements vscode.CustomTextEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri) {
    super();
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = viewHtml(panel.webview, this.extensionUri, 'saved');
    const post = (m: ToView) => void panel.webview.postMessage(m);
    const show = () => {
      const parsed = parseSaved(document.getText());
      if (parsed.ok) post({ type: 'showSaved', name: path.basename(document.uri.fsPath), content: parsed.content });
      else post({ type: 'notice', kind: 'error', message: `${path.basename(document.uri.fsPath)}: ${parsed.error}` });
    };
    const subscriptions = [
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        const parsed = parseMessage(fromViewSchema, raw);
        if (!parsed.ok) return;
        if (parsed.message.type === 'ready') show();
        if (parsed.message.type === 'compare') {
          try {
            const other = await pickSavedRun('Compare with which saved run?', document.uri);
            if (other) await openComparison(this.extensionUri, document.uri, other);
          } catch (err) {
            post({ type: 'notice', kind: 'error', message: err instanceof Error ? err.message : String(err) });
          }
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString()) show();
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
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
  const panel = vscode.window.createWebviewPanel('attentionProfiler.compare', `Compare: ${path.basename(a.fsPath)} / ${path.basename(b.fsPath)}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
  panel.webview.html = viewHtml(panel.webview, extensionUri, 'comparison');
  const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
    const parsed = parseMessage(fromViewSchema, raw);
    if (parsed.ok && parsed.message.type === 'ready') {
      void panel.webview.postMessage({ type: 'showComparison', a: { name: path.basename(a.fsPath), content: contentA }, b: { name: path.basename(b.fsPath), content: contentB } } satisfies ToView);
    }
  });
  panel.onDidDispose(() => subscription.dispose());
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
