import * as vscode from 'vscode';
import type { ReportContent } from '../model/content';
import type { HtmlAssets } from '../model/export-html';
import { exportStem, exportText, type ExportFormat } from '../model/exports';

const FILTERS: Record<ExportFormat, Record<string, string[]>> = { json: { JSON: ['json'] }, csv: { CSV: ['csv'] }, html: { HTML: ['html'] } };

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** The files the HTML report inlines, read from the extension's own folder (never the working directory). */
export async function readHtmlAssets(extensionUri: vscode.Uri): Promise<HtmlAssets> {
  const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)));
  const [css, viewerScript] = await Promise.all([read('main.css'), read('report-viewer.js')]);
  return { css, viewerScript };
}

/** Asks where to write an export and writes it; undefined when the user cancels. */
export async function exportToFile(format: ExportFormat, content: ReportContent, extensionUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const folder = defaultFolder();
  const name = `${exportStem(content)}.${format}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: FILTERS[format],
    saveLabel: `Export ${format.toUpperCase()}`,
  });
  if (!target) return undefined;
  const assets = format === 'html' ? await readHtmlAssets(extensionUri) : undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportText(format, content, assets)));
  return target;
}

/** Writes PNG images (maps, charts) into a folder the user picks. */
export async function exportImages(images: ReadonlyArray<{ name: string; dataUrl: string }>): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: defaultFolder(),
    openLabel: 'Export PNGs here',
  });
  const folder = picked?.[0];
  if (!folder) return undefined;
  for (const image of images) {
    const base64 = image.dataUrl.slice('data:image/png;base64,'.length);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, `${image.name}.png`), Buffer.from(base64, 'base64'));
  }
  return folder;
}

/** "Save run": a *.attnprof.json in the workspace's attention-runs folder (or where the user says). */
export async function saveRun(content: ReportContent): Promise<vscode.Uri | undefined> {
  const folder = defaultFolder();
  const name = `${exportStem(content)}.attnprof.json`;
  const target = folder
    ? vscode.Uri.joinPath(folder, 'attention-runs', name)
    : await vscode.window.showSaveDialog({ filters: { 'Attention Profiler run': ['attnprof.json'] }, saveLabel: 'Save run' });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportText('json', content)));
  return target;
}
