import * as vscode from 'vscode';
import type { ProfileReport } from '../model/report';
import type { SweepReport } from '../model/sweep';
import { LOG_NAME } from './log';
import { RunController } from './run-controller';
import { COMPARE_COMMAND, SAVED_RUN_EDITOR, SavedRunEditorProvider, compareSavedRuns } from './saved-runs';
import { AttentionViewProvider, VIEW_ID } from './view-provider';
import { ProfilerWorker, workerScript } from './worker-client';

export const PROFILE_COMMAND = 'attentionProfiler.profile';

function selectedText(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selections.every((s) => s.isEmpty)) return undefined;
  return editor.selections.map((s) => editor.document.getText(s)).join('\n');
}

/** What activation returns: read-only access for the desktop integration tests. */
export interface AttentionProfilerApi {
  lastResult(): ProfileReport | null;
  lastSweep(): SweepReport | null;
}

/**
 * Activation only registers the command and the view: the worker (and with it gpu.js and the
 * tokenizer vocabularies) starts on the first run or token count.
 */
export function activate(context: vscode.ExtensionContext): AttentionProfilerApi {
  // The log is created here but written only when something is used; it holds no token text.
  const log = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const worker = new ProfilerWorker(workerScript(context.extensionUri.fsPath));
  const controller = new RunController(
    worker,
    context.extensionUri,
    async () => {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    },
    log,
  );
  const provider = new AttentionViewProvider(context.extensionUri, controller, selectedText);
  context.subscriptions.push(
    log,
    { dispose: () => worker.dispose() },
    controller,
    provider,
    // The view's GPU lane lives in the view: keeping it when the view is hidden keeps a run going.
    vscode.window.registerWebviewViewProvider(VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerCustomEditorProvider(SAVED_RUN_EDITOR, new SavedRunEditorProvider(context.extensionUri), { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.commands.registerCommand(COMPARE_COMMAND, () => compareSavedRuns(context.extensionUri)),
    vscode.commands.registerCommand(PROFILE_COMMAND, async () => {
      const text = selectedText();
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
      if (text !== undefined) controller.setInput({ ...controller.currentInput, text }, false);
      await controller.run({ ...controller.currentInput, text: text ?? controller.currentInput.text }, { notification: true });
    }),
  );
  return { lastResult: () => controller.lastResult, lastSweep: () => controller.lastSweepResult };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
