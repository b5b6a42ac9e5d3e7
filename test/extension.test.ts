import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { requireWithVscode } from './vscode-stand-in';

const BUNDLE = path.resolve(__dirname, '..', 'dist', 'extension.js');

/** Node's require, to load the built bundle afresh and to replace a builtin's export. */
const nodeRequire = createRequire(__filename);

/** The parts of the VS Code API activation touches, recording what the extension registers. */
function fakeVscode() {
  const registered = { commands: new Map<string, (...a: unknown[]) => unknown>(), views: new Map<string, { resolveWebviewView(v: unknown): void }>(), editors: new Set<string>() };
  const posted: unknown[] = [];
  let onMessage: ((m: unknown) => void) | undefined;
  const config = new Map<string, unknown>();
  const channels: Array<{ name: string; options: unknown; lines: string[]; shown: number }> = [];
  const vscode = {
    Uri: {
      joinPath: (base: { fsPath: string }, ...parts: string[]) => ({ fsPath: path.join(base.fsPath, ...parts), toString: () => path.join(base.fsPath, ...parts) }),
    },
    ProgressLocation: { Notification: 15 },
    window: {
      activeTextEditor: undefined,
      registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(v: unknown): void }) => {
        registered.views.set(id, provider);
        return { dispose() {} };
      },
      registerCustomEditorProvider: (id: string) => {
        registered.editors.add(id);
        return { dispose() {} };
      },
      withProgress: () => Promise.resolve(),
      createOutputChannel: (name: string, options: unknown) => {
        const channel = { name, options, lines: [] as string[], shown: 0 };
        channels.push(channel);
        const write = (m: string | Error) => void channel.lines.push(m instanceof Error ? m.message : m);
        return {
          info: write,
          warn: write,
          error: write,
          show: () => void channel.shown++,
          dispose() {},
        };
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => {
        registered.commands.set(id, fn);
        return { dispose() {} };
      },
      executeCommand: () => Promise.resolve(),
    },
    workspace: { getConfiguration: () => ({ get: (key: string, fallback: unknown) => (config.has(key) ? config.get(key) : fallback) }) },
  };
  const webviewView = {
    webview: {
      options: {},
      html: '',
      cspSource: 'vscode-resource:',
      asWebviewUri: (u: { toString(): string }) => u,
      postMessage: (m: unknown) => {
        posted.push(m);
        return Promise.resolve(true);
      },
      onDidReceiveMessage: (fn: (m: unknown) => void) => {
        onMessage = fn;
        return { dispose() {} };
      },
    },
    onDidDispose: () => ({ dispose() {} }),
  };
  return { vscode, registered, posted, webviewView, config, channels, send: (m: unknown) => onMessage?.(m) };
}

/** A message of the view's channel, as the view posts it. */
function event(name: string, payload: unknown): unknown {
  return { t: 'event', name, payload };
}

function loadExtension(vscode: unknown): { activate(ctx: unknown): void } {
  return requireWithVscode(vscode, () => {
    delete nodeRequire.cache[BUNDLE];
    return nodeRequire(BUNDLE) as { activate(ctx: unknown): void };
  });
}

describe('extension activation', () => {
  it('the extension bundle holds neither gpu.js nor the tokenizer (they live in the worker bundle)', () => {
    const source = fs.readFileSync(BUNDLE, 'utf8');
    assert.doesNotMatch(source, /WebAssemblyKernel|HeadlessGLKernel|gpu-mock/u);
    assert.doesNotMatch(source, /o200k_base\.js|bpeRanks/u);
    assert.match(fs.readFileSync(path.resolve(__dirname, '..', 'dist', 'worker.js'), 'utf8'), /WebAssemblyKernel/u);
  });

  it('registers the command and the view, and starts no worker, until something is run', async () => {
    const fake = fakeVscode();
    const constructed: string[] = [];
    // The bundle reads Worker from the builtin's exports when it starts one; replace it to see.
    const workerThreads = nodeRequire('node:worker_threads') as { Worker: unknown };
    const RealWorker = workerThreads.Worker;
    workerThreads.Worker = class {
      constructor(file: string) {
        constructed.push(file);
        throw new Error('no worker in this test');
      }
    };
    try {
      const ext = loadExtension(fake.vscode);
      const subscriptions: unknown[] = [];
      ext.activate({ subscriptions, extensionUri: { fsPath: path.resolve(__dirname, '..') } });
      assert.ok(fake.registered.commands.has('attentionProfiler.profile'));
      assert.ok(fake.registered.views.has('attentionProfiler.comparison'));
      assert.ok(fake.registered.editors.has('attentionProfiler.savedRun'), 'saved runs open in their editor');
      assert.ok(fake.registered.commands.has('attentionProfiler.compareRuns'));
      assert.deepEqual(constructed, [], 'activation starts no worker');

      // The view opens and asks for its state: still no worker.
      fake.registered.views.get('attentionProfiler.comparison')!.resolveWebviewView(fake.webviewView);
      assert.match(fake.webviewView.webview.html, /default-src 'none'/u);
      assert.match(fake.webviewView.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/u);
      fake.send(event('ready', {}));
      assert.equal((fake.posted[0] as { name: string }).name, 'state');

      // Bad input is answered in the view, without a worker.
      fake.send(event('run', { input: { text: '   ', tokenizer: 'o200k_base' } }));
      await new Promise((r) => setTimeout(r, 10));
      assert.match(JSON.stringify(fake.posted.at(-1)), /Nothing to profile/u);
      fake.send(event('run', { input: { text: 42 } }));
      assert.match(JSON.stringify(fake.posted.at(-1)), /malformed message/u);
      fake.config.set('headDim', 0);
      fake.send(event('run', { input: { text: 'hello', tokenizer: 'o200k_base' } }));
      await new Promise((r) => setTimeout(r, 10));
      assert.match(JSON.stringify(fake.posted.at(-1)), /Setting attentionProfiler.headDim is not valid/u);
      // The log: one channel, a log channel, named for the extension; the view's "Show log" shows it.
      assert.deepEqual(
        fake.channels.map((c) => [c.name, c.options]),
        [['Attention Profiler', { log: true }]],
      );
      assert.ok(fake.channels[0].lines.some((l) => /not started: Setting attentionProfiler.headDim is not valid/u.test(l)));
      fake.send(event('showLog', {}));
      assert.equal(fake.channels[0].shown, 1);
      assert.deepEqual(constructed, []);
      assert.ok(!Object.keys(require.cache).some((k) => /node_modules[\\/](gpu\.js|gl|gpt-tokenizer)[\\/]/u.test(k)), 'gpu.js, gl and the tokenizer are not loaded');

      // Typing is use: the token count starts the worker (here the stand-in refuses, and the view is told why).
      fake.send(event('inputChanged', { input: { text: 'hello world', tokenizer: 'o200k_base' } }));
      await new Promise((r) => setTimeout(r, 450));
      assert.deepEqual(constructed, [path.resolve(__dirname, '..', 'dist', 'worker.js')]);
      assert.match(JSON.stringify(fake.posted.at(-1)), /The profiling worker could not start: no worker in this test/u);
    } finally {
      workerThreads.Worker = RealWorker;
    }
  });
});
