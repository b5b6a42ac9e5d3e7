/**
 * The webview's HTML and its Content Security Policy. Pure (no vscode import) so that the view
 * test loads the built bundle under exactly the policy the extension uses.
 */
export interface WebviewHtmlOptions {
  /** webview.cspSource: the origin webview resources are served from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** live: the side view with its input; saved: a *.attnprof.json file; comparison: two saved runs. */
  mode?: 'live' | 'saved' | 'comparison';
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `img-src ${cspSource} data: blob:`, `style-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${o.styleUri}">
<title>Attention comparison</title>
</head>
<body data-mode="${o.mode ?? 'live'}">
<main id="app" aria-live="polite"></main>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}

/** A fresh nonce per page (base64 of 16 random bytes). */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}
