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
  /** The GPU lane's worker script (the live view only). */
  laneUri?: string;
  /** live: the side view with its input; saved: a *.attnprof.json file; comparison: two saved runs. */
  mode?: 'live' | 'saved' | 'comparison';
}

/**
 * The policy: nothing but the view's own resources, scripts by nonce, no inline styles, no eval.
 * With the GPU lane, the view may also fetch its own lane script (connect-src, the webview's
 * resource origin only) and start it as a worker from a blob (worker-src blob:): a webview cannot
 * start a worker from its resource origin, and only the view's nonce-checked script can make blobs.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, lane = false): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    ...(lane ? [`connect-src ${cspSource}`, 'worker-src blob:'] : []),
  ].join('; ');
}

function attribute(value: string): string {
  return value.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce, o.laneUri !== undefined)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${o.styleUri}">
<title>Attention comparison</title>
</head>
<body data-mode="${o.mode ?? 'live'}"${o.laneUri ? ` data-lane="${attribute(o.laneUri)}"` : ''}>
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
