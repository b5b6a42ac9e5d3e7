import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { DAWN_BUILDS, UNIVERSAL, VSIX_TARGET_FILE, dawnNotFoundReason, type DawnTarget } from '../src/engine/node/dawn-location';
import { ProfilerWorker, RunFailure } from '../src/extension/worker-client';
import { DEFAULTS } from '../src/model/limits';
import type { RunSettings } from '../src/model/settings';

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const TARGETS = Object.keys(DAWN_BUILDS) as DawnTarget[];
const HOST = `${process.platform}-${process.arch}`;

/** The files the installed extension reads at run time (package.json's main, the worker, the views, the HTML export's assets). */
const RUNTIME_FILES = [
  'extension/package.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension/media/attention.svg',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/dist/webview/main.js',
  'extension/dist/webview/main.css',
  'extension/dist/webview/report-viewer.js',
  'extension/dist/webview/lane.js',
  `extension/dist/${VSIX_TARGET_FILE}`,
];
/** vsce's own files, outside extension/. */
const VSIX_FILES = ['[Content_Types].xml', 'extension.vsixmanifest'];
const WEBGPU = 'extension/dist/node_modules/webgpu/';
const NATIVE = /\.(node|dll|so|dylib|exe)$/u;

/** yauzl, the zip reader vsce itself uses (it has no types of its own): the part used here. */
interface ZipEntry {
  fileName: string;
  uncompressedSize: number;
}
interface ZipFile {
  eachEntry(): AsyncIterable<ZipEntry>;
  openReadStreamPromise(entry: ZipEntry): Promise<Readable>;
  close(): void;
}
const yauzl = createRequire(require.resolve('@vscode/vsce/package.json'))('yauzl') as { openPromise(file: string, options: { autoClose: boolean }): Promise<ZipFile> };

interface Vsix {
  /** Every file's path in the zip, with its size. */
  sizes: Map<string, number>;
  /** The text of the small files the tests read. */
  texts: Map<string, string>;
}

async function readVsix(file: string, extractTo?: string): Promise<Vsix> {
  const zip = await yauzl.openPromise(file, { autoClose: false });
  const sizes = new Map<string, number>();
  const texts = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      sizes.set(entry.fileName, entry.uncompressedSize);
      if (entry.fileName === 'extension.vsixmanifest' || entry.fileName.endsWith(VSIX_TARGET_FILE)) {
        const chunks: Buffer[] = [];
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
        texts.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
      }
      if (extractTo) {
        const to = path.join(extractTo, entry.fileName);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(to));
      }
    }
  } finally {
    zip.close();
  }
  return { sizes, texts };
}

const vsixName = (target: string) => `${pkg.name}-${pkg.version}-${target}.vsix`;
const targetPlatform = (v: Vsix) => /TargetPlatform="([^"]*)"/u.exec(v.texts.get('extension.vsixmanifest') ?? '')?.[1];
const packagedTarget = (v: Vsix) => (JSON.parse(v.texts.get(`extension/dist/${VSIX_TARGET_FILE}`) ?? '{}') as { target?: string }).target;

/** A forced-webgpu run of the worker bundle that a VSIX holds: its report's probe, or the failure's message. */
async function webgpuRunOf(extracted: string): Promise<string> {
  const settings: RunSettings = {
    backend: 'webgpu',
    d: 8,
    seed: 1,
    causal: true,
    tokenizer: 'o200k_base',
    maxTokens: 64,
    repeats: DEFAULTS.repeats,
    warmups: DEFAULTS.warmups,
    timeBudgetMs: 0,
    memoryBudgetBytes: 2 ** 28,
    variants: ['full'],
    params: {},
    mapSize: 8,
    checkRowLimit: DEFAULTS.checkRowLimit,
    gateTolerance: DEFAULTS.gateTolerance,
    threads: 1,
  };
  const worker = new ProfilerWorker(path.join(extracted, 'extension', 'dist', 'worker.js'));
  try {
    const report = await worker.run({ kind: 'text', text: 'ids: 1 2 3 4 5 6 7 8' }, settings, () => undefined).result;
    return `ran on ${report.backend.device}`;
  } catch (err) {
    assert.ok(err instanceof RunFailure, String(err));
    return err.message;
  } finally {
    worker.dispose();
  }
}

describe('npm run package: one VSIX per Dawn target and a universal one', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-package-'));
  const vsixes = new Map<string, Vsix>();

  before(async () => {
    // The bundles as `npm test` built them: rebuilding here would rewrite files that tests running alongside read.
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'worker.js')), 'no bundles: run npm run build first');
    execFileSync(process.execPath, ['scripts/package.mjs', '--no-build', '--out-dir', path.join(dir, 'out')], { cwd: ROOT, stdio: 'pipe' });
    for (const target of [...TARGETS, UNIVERSAL]) {
      const extractTo = target === UNIVERSAL || target === HOST ? path.join(dir, target) : undefined;
      vsixes.set(target, await readVsix(path.join(dir, 'out', vsixName(target)), extractTo));
    }
  });

  after(() => {
    for (const [target, v] of vsixes) {
      const bytes = fs.statSync(path.join(dir, 'out', vsixName(target))).size;
      console.log(`${vsixName(target)}: ${(bytes / 2 ** 20).toFixed(1)} MB, ${v.sizes.size} files`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds exactly the universal VSIX and one per target that the webgpu package has a Dawn binary for', () => {
    const folders = fs
      .readdirSync(path.join(ROOT, 'node_modules', 'webgpu', 'dist'))
      .filter((f) => fs.existsSync(path.join(ROOT, 'node_modules', 'webgpu', 'dist', f, 'dawn.node')));
    assert.deepEqual([...new Set(Object.values(DAWN_BUILDS))].sort(), folders.sort(), 'DAWN_BUILDS (dawn-location.ts) names the Dawn builds that the webgpu package has');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), [...TARGETS, UNIVERSAL].map(vsixName).sort());
  });

  it('every VSIX holds the files the extension reads at run time, and nothing else (no sources, no tests, no source maps)', () => {
    for (const [target, v] of vsixes) {
      for (const file of RUNTIME_FILES) assert.ok(v.sizes.get(file), `${target}: ${file} is missing or empty`);
      const extra = [...v.sizes.keys()].filter(
        (f) => !RUNTIME_FILES.includes(f) && !VSIX_FILES.includes(f) && !f.startsWith('extension/media/') && !(target !== UNIVERSAL && f.startsWith(WEBGPU)),
      );
      assert.deepEqual(extra, [], `${target}: files the extension does not read`);
    }
  });

  for (const target of TARGETS) {
    it(`the ${target} VSIX carries Dawn's ${DAWN_BUILDS[target]} build and no other, and says it is for ${target}`, () => {
      const v = vsixes.get(target)!;
      for (const file of ['package.json', 'index.js', 'LICENSE.md', `dist/${DAWN_BUILDS[target]}/dawn.node`]) assert.ok(v.sizes.get(WEBGPU + file), `${target}: ${WEBGPU}${file}`);
      const builds = new Set([...v.sizes.keys()].filter((f) => f.startsWith(`${WEBGPU}dist/`)).map((f) => f.slice(`${WEBGPU}dist/`.length).split('/')[0]));
      assert.deepEqual([...builds], [DAWN_BUILDS[target]]);
      const native = [...v.sizes.keys()].filter((f) => NATIVE.test(f));
      assert.ok(
        native.every((f) => f.startsWith(`${WEBGPU}dist/${DAWN_BUILDS[target]}/`)),
        `${target}: native code outside its Dawn build: ${native.join(', ')}`,
      );
      assert.equal(targetPlatform(v), target);
      assert.equal(packagedTarget(v), target);
    });
  }

  it('the universal VSIX has no native code, no node_modules, no target platform, and says it is universal', () => {
    const v = vsixes.get(UNIVERSAL)!;
    assert.deepEqual(
      [...v.sizes.keys()].filter((f) => NATIVE.test(f) || f.includes('node_modules/')),
      [],
    );
    assert.equal(targetPlatform(v), undefined);
    assert.equal(packagedTarget(v), UNIVERSAL);
  });

  it("the universal VSIX's worker says that it has no WebGPU, and what to install instead", async () => {
    const said = await webgpuRunOf(path.join(dir, UNIVERSAL));
    assert.match(said, /backend webgpu cannot run here: this is the universal VSIX, which ships no Dawn binary: the worker lane has no WebGPU; /u);
    assert.match(said, Object.hasOwn(DAWN_BUILDS, HOST) ? new RegExp(`install the VSIX for your platform \\(${HOST}\\)`, 'u') : /there is no Dawn binary for/u);
  });

  it(`the VSIX for this machine (${HOST}) loads the Dawn it carries`, { skip: Object.hasOwn(DAWN_BUILDS, HOST) ? false : `no VSIX for ${HOST}` }, async (t) => {
    const said = await webgpuRunOf(path.join(dir, HOST));
    t.diagnostic(`webgpu in the ${HOST} VSIX's worker: ${said}`);
    // A machine without a GPU gets Dawn's own answer (no adapter, no Vulkan driver): Dawn was found and loaded.
    assert.doesNotMatch(said, /cannot be found|not installed|Cannot find module|universal VSIX/u, said);
  });
});

describe('dawnNotFoundReason: why the worker has no Dawn, in the words of the build', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-dawn-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const packagedAs = (target: string) => {
    fs.writeFileSync(path.join(dir, VSIX_TARGET_FILE), JSON.stringify({ target }));
    return dir;
  };

  it('outside a VSIX (development, the CLI): the module is not installed', () => {
    assert.equal(dawnNotFoundReason('Cannot find module', path.join(dir, 'nowhere'), 'linux-x64'), 'the webgpu (Dawn) module is not installed (Cannot find module)');
  });

  it('in the universal VSIX: no WebGPU in the worker, and which VSIX to install', () => {
    assert.equal(
      dawnNotFoundReason('x', packagedAs(UNIVERSAL), 'win32-arm64'),
      "this is the universal VSIX, which ships no Dawn binary: the worker lane has no WebGPU; install the VSIX for your platform (win32-arm64), or use the view's GPU lane",
    );
    assert.match(dawnNotFoundReason('x', packagedAs(UNIVERSAL), 'linux-armhf'), /there is no Dawn binary for linux-armhf, or use the view's GPU lane$/u);
  });

  it('in a target VSIX that lost its Dawn: reinstall', () => {
    assert.match(
      dawnNotFoundReason('Cannot find module', packagedAs('linux-x64'), 'linux-x64'),
      /^the linux-x64 VSIX should hold Dawn .*\(Cannot find module\); reinstall the extension$/u,
    );
  });

  it('a file that is not a known build is not trusted', () => {
    assert.match(dawnNotFoundReason('x', packagedAs('freebsd-x64'), 'freebsd-x64'), /^the webgpu \(Dawn\) module is not installed/u);
  });
});
