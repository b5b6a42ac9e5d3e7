import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { makeNonce, webviewHtml } from '../../src/extension/webview-html';

const ROOT = path.resolve(__dirname, '..', '..');

/** Serves the built webview bundle and a page made by the extension's own HTML function. */
export function serveView(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host}`;
      res.setHeader('content-type', 'text/html');
      const mode = (url.searchParams.get('mode') ?? 'live') as 'live' | 'saved' | 'comparison';
      res.end(
        webviewHtml({
          cspSource: origin,
          nonce: makeNonce(),
          scriptUri: `${origin}/dist/webview/main.js`,
          styleUri: `${origin}/dist/webview/main.css`,
          ...(mode === 'live' ? { laneUri: `${origin}/dist/webview/lane.js` } : {}),
          mode,
        }),
      );
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const file = path.join(ROOT, path.normalize(url.pathname));
    if (!file.startsWith(path.join(ROOT, 'dist')) || !fs.existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream');
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    });
  });
}

/** Stands in for VS Code: acquireVsCodeApi records what the view posts; CSP violations are kept. */
export const STUB = `
  // tsx names functions with a __name helper; functions this test evaluates in the page need it too.
  window.__name = (fn) => fn;
  window.__posted = [];
  window.__csp = [];
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => state,
    setState: (s) => { state = s; },
  });
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  // A dark theme's variables, as VS Code defines them on the webview's document (set through the CSSOM).
  const theme = {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-foreground': 'rgb(204, 204, 204)', '--vscode-descriptionForeground': 'rgba(204, 204, 204, 0.7)',
    '--vscode-editor-background': 'rgb(31, 31, 31)', '--vscode-sideBar-background': 'rgb(24, 24, 24)',
    '--vscode-charts-blue': 'rgb(55, 148, 255)', '--vscode-charts-purple': 'rgb(179, 128, 255)',
    '--vscode-charts-red': 'rgb(241, 76, 76)', '--vscode-charts-orange': 'rgb(209, 134, 22)',
    '--vscode-charts-green': 'rgb(137, 209, 133)', '--vscode-charts-yellow': 'rgb(204, 167, 0)',
    '--vscode-errorForeground': 'rgb(248, 81, 73)', '--vscode-focusBorder': 'rgb(0, 120, 212)',
    '--vscode-panel-border': 'rgb(43, 43, 43)', '--vscode-badge-background': 'rgb(97, 97, 97)', '--vscode-badge-foreground': 'rgb(248, 248, 248)',
    '--vscode-editorHoverWidget-background': 'rgb(32, 32, 32)', '--vscode-editorHoverWidget-border': 'rgb(69, 69, 69)',
  };
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add('vscode-dark');
    for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v);
  });
`;
