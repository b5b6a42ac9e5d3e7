import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileStem, freshNames, pngBytes } from '../src/extension/png-files';
import { PNG_LIMITS } from '../src/model/limits';
import { loadingText, SavedRunSession, type SavedRunPage } from '../src/extension/saved-run-session';
import type { ReportContent } from '../src/model/content';
import { REPORT_VERSION, storeReport, type ProfileReport } from '../src/model/report';
import { requireWithVscode } from './vscode-stand-in';

/** A run of two variants, one with a map, as a saved file holds it. */
function savedRun(medianMs = 1): { report: ProfileReport; text: string } {
  const variant = (id: string) => ({
    id,
    name: id,
    family: 'test',
    status: 'ok' as const,
    params: {},
    maskType: 'mask' as const,
    attribution: 'test',
    backend: { selected: 'cpu', kernels: { cpu: 1 }, fallbacks: [], warnings: [] },
    time: { firstCallMs: 2, medianMs, minMs: medianMs, maxMs: medianMs, runs: 5, warmups: 2, samplesMs: [medianMs] },
    memory: { predictedBytes: 64, measuredBytes: 64, weightBytes: 0 },
    predictedFlops: 10,
    nnz: 3,
    density: 0.75,
  });
  const report: ProfileReport = {
    schema: 'attention-profiler/report',
    version: REPORT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    cancelled: false,
    tool: { name: 'attention-profiler', version: '0.1.0' },
    environment: { node: 'v20', gpujs: '2.24.1', platform: 'linux', arch: 'x64', cpu: 'test', cpuCount: 2 },
    backend: { requested: 'cpu', selected: 'cpu', lane: 'worker', device: '', threads: 1, probes: [] },
    input: { kind: 'ids', source: 'ids', n: 2, d: 4, seed: 1, causal: true, qkv: 'synthetic' },
    settings: { repeats: 5, warmups: 2, timeBudgetMs: 0, memoryBudgetBytes: 2 ** 30, gateTolerance: 1e-4, checkedRows: 2 },
    variants: [
      { ...variant('full'), map: { kind: 'mask', rows: 2, cols: 2, sourceRows: 2, sourceCols: 2, rowQuery: [0, 1], values: Float32Array.from([1, 0, 1, 1]) } },
      variant('sliding'),
    ],
  };
  return { report, text: JSON.stringify(storeReport(report)) };
}

/** A page that records what it is told; `flush` resolves when the test says. */
function recordingPage() {
  const log: Array<{ what: 'notice' | 'show' | 'reload'; kind?: string; text?: string; content?: ReportContent }> = [];
  const flushes: Array<() => void> = [];
  const page: SavedRunPage = {
    notice: (kind, text) => log.push({ what: 'notice', kind, text }),
    show: (_name, content) => log.push({ what: 'show', content }),
    reload: () => log.push({ what: 'reload' }),
    flush: () => new Promise<void>((resolve) => flushes.push(resolve)),
  };
  /** Lets every posted message through until `update` has finished. */
  const flushAll = async (update: Promise<void>) => {
    let done = false;
    void update.then(() => (done = true));
    while (!done) {
      while (flushes.length > 0) flushes.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { page, log, flushAll };
}

/** A file whose text the test sets; its size is its length. */
function savedFile(initial: string) {
  const file = { text: initial as string | undefined };
  return {
    file,
    source: {
      size: () => (file.text === undefined ? Promise.reject(new Error('no such file')) : Promise.resolve(file.text.length)),
      read: () => (file.text === undefined ? Promise.reject(new Error('no such file')) : Promise.resolve(file.text)),
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("the saved run's editor, host side (SavedRunSession)", () => {
  it('says "Loading NAME (size)..." before it reads and parses, then shows the file', async () => {
    const { page, log, flushAll } = recordingPage();
    const { source } = savedFile(savedRun().text);
    let reads = 0;
    const session = new SavedRunSession('a.attnprof.json', { size: source.size, read: () => (reads++, source.read()) }, page);
    const shown = session.ready();
    await tick();
    assert.deepEqual(log, [{ what: 'notice', kind: 'info', text: loadingText('a.attnprof.json', savedRun().text.length) }], 'the notice goes out first');
    assert.equal(reads, 0, 'before the file is read');
    assert.match(log[0].text, /^Loading a\.attnprof\.json \(\d+(\.\d)? (B|KiB)\)\.\.\.$/u);
    await flushAll(shown);
    assert.equal(log.length, 2);
    assert.equal(log[1].what, 'show');
    assert.equal(log[1].content!.kind, 'run');
  });

  it('a change shows the file again in place; a file that turns invalid reloads the page, which then shows the error alone', async () => {
    const { page, log, flushAll } = recordingPage();
    const { file, source } = savedFile(savedRun().text);
    const session = new SavedRunSession('a.attnprof.json', source, page);
    await flushAll(session.ready());
    log.length = 0;
    file.text = savedRun(5).text;
    await session.changed();
    assert.deepEqual(
      log.map((l) => l.what),
      ['show'],
      'a small file shows at once, without "Loading"',
    );
    assert.equal(log[0].content!.kind === 'run' && log[0].content!.report.variants[0].time!.medianMs, 5);

    log.length = 0;
    file.text = '{"schema": "attention-profiler/report", ';
    await session.changed();
    assert.deepEqual(
      log.map((l) => l.what),
      ['reload'],
      'the cards go with the page',
    );
    log.length = 0;
    await flushAll(session.ready());
    assert.deepEqual(
      log.map((l) => [l.what, l.kind]),
      [
        ['notice', 'info'],
        ['notice', 'error'],
      ],
    );
    assert.match(log[1].text!, /^a\.attnprof\.json: not JSON \(/u);

    log.length = 0;
    file.text = undefined;
    await session.changed();
    assert.deepEqual(
      log,
      [{ what: 'notice', kind: 'error', text: 'a.attnprof.json: the file cannot be read (no such file)' }],
      'still nothing shown: the error changes, no reload',
    );
    file.text = savedRun().text;
    await session.changed();
    assert.equal(log.at(-1)!.what, 'show');
  });

  it('only the latest version is shown when changes come faster than a large file is read', async () => {
    const { page, log, flushAll } = recordingPage();
    const { file, source } = savedFile(savedRun(1).text);
    const session = new SavedRunSession('a.attnprof.json', source, page);
    const first = session.ready();
    await tick();
    file.text = savedRun(7).text;
    await session.changed();
    await flushAll(first);
    const shows = log.filter((l) => l.what === 'show');
    assert.equal(shows.length, 1);
    assert.equal(shows[0].content!.kind === 'run' && shows[0].content!.report.variants[0].time!.medianMs, 7);
  });
});

const BUNDLE = path.resolve(__dirname, '..', 'dist', 'extension.js');
const nodeRequire = createRequire(__filename);

/** The VS Code API the saved-run editor touches, recording what it posts and sets. */
function fakeVscode(initialText: string) {
  let provider: { openCustomDocument(uri: unknown): unknown; resolveCustomEditor(document: unknown, panel: unknown): void } | undefined;
  const fileListeners: Array<() => void> = [];
  let onMessage: ((m: unknown) => void) | undefined;
  const posted: Array<{ name: string; payload: Record<string, unknown> }> = [];
  const htmls: string[] = [];
  const file = { text: initialText };
  const uri = (p: string) => ({ fsPath: p, toString: () => `file://${p}` });
  const webview = {
    options: {},
    cspSource: 'vscode-resource:',
    asWebviewUri: (u: { toString(): string }) => u,
    get html() {
      return htmls.at(-1) ?? '';
    },
    set html(value: string) {
      htmls.push(value);
    },
    postMessage: (m: { t: string; name: string; payload: Record<string, unknown> }) => {
      posted.push({ name: m.name, payload: m.payload });
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (fn: (m: unknown) => void) => {
      onMessage = fn;
      return { dispose() {} };
    },
  };
  const listen = (fn: () => void) => {
    fileListeners.push(fn);
    return { dispose() {} };
  };
  const vscode = {
    Uri: { joinPath: (base: { fsPath: string }, ...parts: string[]) => uri(path.join(base.fsPath, ...parts)) },
    RelativePattern: class {
      constructor(
        readonly base: unknown,
        readonly pattern: string,
      ) {}
    },
    ViewColumn: { Active: -1 },
    window: {
      createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
      registerWebviewViewProvider: () => ({ dispose() {} }),
      registerCustomEditorProvider: (_id: string, p: typeof provider) => {
        provider = p;
        return { dispose() {} };
      },
    },
    commands: { registerCommand: () => ({ dispose() {} }), executeCommand: () => Promise.resolve() },
    workspace: {
      getConfiguration: () => ({ get: (_key: string, fallback: unknown) => fallback }),
      fs: {
        stat: () => Promise.resolve({ size: Buffer.byteLength(file.text) }),
        readFile: () => Promise.resolve(new TextEncoder().encode(file.text)),
      },
      createFileSystemWatcher: (pattern: { pattern: string }) => {
        assert.equal(pattern.pattern, 'a.attnprof.json');
        return { onDidChange: listen, onDidCreate: listen, onDidDelete: listen, dispose() {} };
      },
    },
  };
  return {
    vscode,
    posted,
    htmls,
    open: () => {
      const document = provider!.openCustomDocument(uri('/work/runs/a.attnprof.json'));
      provider!.resolveCustomEditor(document, { webview, onDidDispose: () => ({ dispose() {} }) });
    },
    ready: () => onMessage!({ t: 'event', name: 'ready', payload: {} }),
    write: (text: string) => {
      file.text = text;
      // A large file arrives in several events; the editor reads it once they settle.
      for (let i = 0; i < 3; i++) for (const fn of fileListeners) fn();
    },
  };
}

function loadExtension(vscode: unknown): { activate(ctx: unknown): void } {
  return requireWithVscode(vscode, () => {
    delete nodeRequire.cache[BUNDLE];
    return nodeRequire(BUNDLE) as { activate(ctx: unknown): void };
  });
}

const settle = (ms = 120) => new Promise((r) => setTimeout(r, ms));

describe("the saved run's editor in the extension bundle (a stand-in for VS Code)", () => {
  it('shows the file when the page is ready, re-renders it in place when it changes on disk, and clears it when it turns invalid', async () => {
    const fake = fakeVscode(savedRun().text);
    loadExtension(fake.vscode).activate({ subscriptions: [], extensionUri: { fsPath: path.resolve(__dirname, '..') } });
    fake.open();
    assert.equal(fake.htmls.length, 1);
    assert.match(fake.htmls[0], /data-mode="saved"/u);

    fake.ready();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      fake.posted.map((p) => p.name),
      ['notice'],
      '"Loading..." goes out at once, before the file is read',
    );
    assert.match(String(fake.posted[0].payload.text), /^Loading a\.attnprof\.json \(/u);
    await settle();
    assert.deepEqual(
      fake.posted.map((p) => p.name),
      ['notice', 'showSaved'],
    );
    assert.equal(fake.posted[1].payload.name, 'a.attnprof.json');

    fake.write(savedRun(3).text);
    await settle(300);
    assert.deepEqual(
      fake.posted.map((p) => p.name),
      ['notice', 'showSaved', 'showSaved'],
      'one more showSaved, no reload',
    );
    assert.equal(fake.htmls.length, 1);

    fake.write('not json');
    await settle(300);
    assert.equal(fake.htmls.length, 2, 'the page is loaded afresh: its cards are gone');
    assert.equal(fake.posted.length, 3);
    fake.ready();
    await settle();
    assert.deepEqual(fake.posted.at(-1), { name: 'notice', payload: { kind: 'error', text: fake.posted.at(-1)!.payload.text } });
    assert.match(String(fake.posted.at(-1)!.payload.text), /^a\.attnprof\.json: not JSON/u);
  });
});

/** The first 33 bytes of a PNG: the signature and its IHDR chunk. */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

describe('PNG exports', () => {
  it('takes only PNG data of a bounded size', () => {
    const url = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;
    assert.equal(pngBytes(url(pngHeader(512, 512)), 'full-map').length, 64);
    assert.throws(() => pngBytes(url(Buffer.from('GIF89a and more bytes than thirty-three')), 'full-map'), /full-map: the data is not a PNG image/u);
    assert.throws(() => pngBytes('data:image/png;base64,@@@@', 'full-map'), /not base64/u);
    assert.throws(() => pngBytes(url(pngHeader(PNG_LIMITS.maxSide + 1, 2)), 'full-map'), /16385 x 2 image is outside 1 to 16384 pixels/u);
    assert.throws(() => pngBytes(`data:image/png;base64,${'A'.repeat(30 * 2 ** 20)}`, 'big'), /big: the image is larger than 16 MiB/u);
  });

  it('never overwrites a file: names taken by a file there or by an earlier image get -2, -3', async () => {
    const existing = new Set(['full-map.png', 'sliding-map.png', 'sliding-map-2.png']);
    const names = await freshNames(['full-map', 'sliding-map', 'linear-map', 'linear-map', 'LINEAR-map', 'nul'], (file) => Promise.resolve(existing.has(file)));
    assert.deepEqual(names, ['full-map-2.png', 'sliding-map-3.png', 'linear-map.png', 'linear-map-2.png', 'LINEAR-map-3.png', '_nul.png']);
    assert.equal(fileStem('x'.repeat(300)).length, 100);
  });
});
