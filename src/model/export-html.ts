import { storeContent, type ReportContent } from './content';

/**
 * The files an HTML report inlines (the view's stylesheet and the report viewer bundle), and the
 * host's SHA-256 (base64 of the digest of the UTF-8 text; node:crypto in the CLI and the extension)
 * for the script's Content-Security-Policy hash.
 */
export interface HtmlAssets {
  css: string;
  viewerScript: string;
  sha256Base64(text: string): string;
}

/** JSON safe inside <script>: "<" is escaped so that no "</script>" can end the element early. */
function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</gu, '\\u003c')
    .replace(/\u2028/gu, '\\u2028')
    .replace(/\u2029/gu, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A light and a dark palette for the --vscode-* variables the view's stylesheet uses. */
const THEME = `
:root { color-scheme: light dark;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif; --vscode-font-size: 13px;
  --vscode-foreground: CanvasText; --vscode-descriptionForeground: GrayText; --vscode-errorForeground: crimson;
  --vscode-editor-background: Canvas; --vscode-sideBar-background: Canvas; --vscode-panel-border: GrayText;
  --vscode-badge-background: GrayText; --vscode-badge-foreground: Canvas; --vscode-focusBorder: Highlight;
  --vscode-charts-blue: royalblue; --vscode-charts-red: crimson; --vscode-charts-orange: darkorange;
  --vscode-charts-green: seagreen; --vscode-charts-purple: mediumpurple; --vscode-charts-yellow: goldenrod;
  --vscode-editorHoverWidget-background: Canvas; --vscode-editorHoverWidget-border: GrayText; }
body { max-width: 1400px; margin: 0 auto; padding: 16px; }`;

/**
 * One self-contained HTML file: the stylesheet, the data and the viewer script are all inline, and
 * its Content Security Policy allows no network request at all, so it works offline. The one script
 * that runs is allowed by its SHA-256 hash, not by 'unsafe-inline': nothing else in the page (an
 * injected element, the JSON data) can run.
 */
export function htmlReport(content: ReportContent, assets: HtmlAssets): string {
  const title =
    content.kind === 'run'
      ? `Attention Profiler: ${content.report.input.n} tokens, ${content.report.backend.selected}, ${content.report.createdAt}`
      : `Attention Profiler sweep: N = ${content.sweep.settings.lengths.join(', ')}, ${content.sweep.backend.selected}, ${content.sweep.createdAt}`;
  // The hash is of the text the HTML parser hands the script: "</script" escaped, line ends as LF.
  const script = assets.viewerScript.replace(/<\/script/giu, '<\\/script').replace(/\r\n?/gu, '\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${assets.sha256Base64(script)}'; img-src data: blob:">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style>${assets.css}</style>
<style>${THEME}</style>
</head>
<body>
<main id="app"><noscript>This report draws its cards and charts with JavaScript; the numbers are also in the JSON below.</noscript></main>
<script id="report-data" type="application/json">${embedJson(storeContent(content))}</script>
<script>${script}</script>
</body>
</html>
`;
}
