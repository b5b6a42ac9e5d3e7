// Desktop integration test, run by @vscode/test-cli in a downloaded VS Code (npm run test:desktop).
// It needs network access to download VS Code, so CI here runs the code-server end-to-end test
// instead (test/e2e-code-server.test.ts); this one is for machines that can.
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';

declare function suite(name: string, fn: () => void): void;
declare function test(name: string, fn: () => Promise<void>): void;

interface Api {
  lastResult(): { report: { variants: Array<{ id: string; status: string; time?: { medianMs: number } }> } } | null;
}

suite('Attention Profiler in VS Code', () => {
  test('Profile attention on a selection runs the 14 variants', async () => {
    const extension = vscode.extensions.getExtension<Api>('attention-profiler.attention-profiler');
    assert.ok(extension, 'the extension is installed');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.resolve(__dirname, '..', '..', 'test', 'fixtures');
    const document = await vscode.workspace.openTextDocument(path.join(folder, 'attention-notes.md'));
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 20, 0);
    await vscode.commands.executeCommand('attentionProfiler.profile');
    const api = extension.isActive ? extension.exports : await extension.activate();
    const result = api.lastResult();
    assert.ok(result, 'a result');
    assert.strictEqual(result.report.variants.length, 14);
    for (const v of result.report.variants) assert.ok(v.status === 'ok' && (v.time?.medianMs ?? 0) > 0, `${v.id}: ${v.status}`);
  });
});
