import * as vscode from 'vscode';
import { exportStem, exportText } from '../core/export-content';
import type { HtmlReportContent } from '../core/export-html';

const FILTERS: Record<'json' | 'csv' | 'html', Record<string, string[]>> = { json: { JSON: ['json'] }, csv: { CSV: ['csv'] }, html: { HTML: ['html'] } };

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** Asks where to write an export and writes it; undefined when the user cancels. */
export async function exportToFile(format: 'json' | 'csv' | 'html', content: HtmlReportContent): Promise<vscode.Uri | undefined> {
  const folder = defaultFolder();
  const name = `${exportStem(content)}.${format}`;
  const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: FILTERS[format], saveLabel: `Export ${format.toUpperCase()}` });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportText(format, content)));
  return target;
}

/** Writes PNG images (maps, charts) into a folder the user picks. */
export async function exportImages(images: ReadonlyArray<{ name: string; dataUrl: string }>): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: defaultFolder(), openLabel: 'Export PNGs here' });
  const folder = picked?.[0];
  if (!folder) return undefined;
  for (const image of images) {
    const base64 = image.dataUrl.slice('data:image/png;base64,'.length);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, `${image.name}.png`), Buffer.from(base64, 'base64'));
  }
  return folder;
}

/** "Save run": a *.attnprof.json in the workspace's attention-runs folder (or where the user says). */
export async function saveRun(content: HtmlReportContent): Promise<vscode.Uri | undefined> {
  const folder = defaultFolder();
  const name = `${exportStem(content)}.attnprof.json`;
  const target = folder
    ? vscode.Uri.joinPath(folder, 'attention-runs', name)
    : await vscode.window.showSaveDialog({ filters: { 'Attention Profiler run': ['attnprof.json'] }, saveLabel: 'Save run' });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportText('json', content)));
  return target;
}
