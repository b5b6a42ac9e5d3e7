import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { ReportContent } from '../model/content';
import type { HtmlAssets } from '../model/export-html';
import { exportStem, exportText, type ExportFormat } from '../model/exports';
import { PNG_LIMITS } from '../model/limits';
import { fileStem, freshNames, pngBytes } from './png-files';

const FILTERS: Record<ExportFormat, Record<string, string[]>> = { json: { JSON: ['json'] }, csv: { CSV: ['csv'] }, html: { HTML: ['html'] } };

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** The files the HTML report inlines, read from the extension's own folder (never the working directory). */
export async function readHtmlAssets(extensionUri: vscode.Uri): Promise<HtmlAssets> {
  const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)));
  const [css, viewerScript] = await Promise.all([read('main.css'), read('report-viewer.js')]);
  return { css, viewerScript, sha256Base64: (text) => createHash('sha256').update(text, 'utf8').digest('base64') };
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

/**
 * Writes PNG images (maps, charts) into a folder the user picks. Every image is checked first (a
 * PNG, of a bounded size), so a bad one writes nothing. No file is overwritten: an image whose name
 * is taken (by a file there, or by an earlier image of this export) gets the next free NAME-2.png,
 * NAME-3.png, and the user is told which. Picking new names rather than asking keeps a re-export of
 * a later run into the same folder from costing the earlier maps, without a dialog per file.
 */
export async function exportImages(images: ReadonlyArray<{ name: string; dataUrl: string }>): Promise<vscode.Uri | undefined> {
  if (images.length > PNG_LIMITS.maxFiles) throw new Error(`${images.length} images are more than the ${PNG_LIMITS.maxFiles} one export writes`);
  const checked = images.map((image) => ({ name: image.name, bytes: pngBytes(image.dataUrl, image.name) }));
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: defaultFolder(),
    openLabel: 'Export PNGs here',
  });
  const folder = picked?.[0];
  if (!folder) return undefined;
  const exists = async (file: string) => {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, file));
      return true;
    } catch {
      return false;
    }
  };
  const files = await freshNames(
    checked.map((c) => c.name),
    exists,
  );
  for (const [i, image] of checked.entries()) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, files[i]), image.bytes);
  const renamed = files.filter((file, i) => file !== `${fileStem(checked[i].name)}.png`);
  if (renamed.length > 0) {
    void vscode.window.showInformationMessage(
      `${renamed.length} of the PNG files got new names, so that no file was overwritten: ${renamed.slice(0, 5).join(', ')}${renamed.length > 5 ? ', ...' : ''}.`,
    );
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
