// `npm run package`: builds the bundles and packs the extension with @vscode/vsce, one VSIX per VS
// Code target that Dawn (the `webgpu` package) has a binary for, plus a universal VSIX without
// native code. The bundles hold every JavaScript dependency; the one native module shipped is Dawn,
// in dist/node_modules/webgpu, with only the binary of the VSIX's target: it loads in the worker
// and lets the webgpu backend run where a GPU answers. The universal VSIX installs anywhere, but its
// worker has no WebGPU (the view's GPU lane still has). headless-gl is never shipped: it is built
// for Node's ABI, not Electron's, and needs an X display.
//
//   node scripts/package.mjs                        every VSIX into out/
//   node scripts/package.mjs --out-dir DIR          every VSIX into DIR
//   node scripts/package.mjs --target linux-x64     only these targets (repeat it; "universal" too)
//   node scripts/package.mjs --target universal --out FILE.vsix    one VSIX, to FILE.vsix
//   node scripts/package.mjs FILE.vsix              the older form: this machine's target, to FILE.vsix
//   --no-build                                      pack dist/ as it is (tests: `npm test` has built it,
//                                                   and rebuilding would rewrite files other tests read)
//
// Each VSIX is packed in its own staging folder (the files .vscodeignore lets through, its Dawn
// build, and dist/vsix-target.json, which tells src/engine/node/dawn-location.ts which build it
// is), so Dawn and the target file never land in the checkout's dist/, and the VSIXes are packed
// side by side.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const UNIVERSAL = 'universal';
const WEBGPU = path.join('node_modules', 'webgpu');
/** What the webgpu package needs at run time besides its binary (index.js picks the binary's folder). */
const WEBGPU_FILES = ['package.json', 'index.js', 'LICENSE.md'];
/** The checkout's files a VSIX is packed from; .vscodeignore then picks among them. */
const SOURCES = ['package.json', 'README.md', 'LICENSE', 'media', 'dist'];

/**
 * The webgpu package's binaries (dist/<platform>-<arch>, one dist/darwin-universal for both
 * Macs), as VS Code targets. src/engine/node/dawn-location.ts keeps the same table (DAWN_BUILDS),
 * and test/package.test.ts checks that the two agree.
 */
function dawnBuilds() {
  const builds = new Map();
  for (const folder of fs.readdirSync(path.join(WEBGPU, 'dist')).sort()) {
    if (!fs.existsSync(path.join(WEBGPU, 'dist', folder, 'dawn.node'))) continue;
    const [platform, arch] = folder.split('-');
    for (const a of platform === 'darwin' && arch === 'universal' ? ['x64', 'arm64'] : [arch]) builds.set(`${platform}-${a}`, folder);
  }
  return builds;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { target: { type: 'string', multiple: true }, out: { type: 'string' }, 'out-dir': { type: 'string' }, 'no-build': { type: 'boolean' } },
});
let out = values.out;
let targets = values.target;
if (positionals.length > 0) {
  if (positionals.length > 1 || out || targets) fail('give one output path, either as --out FILE or alone (the older form)');
  out = positionals[0];
  targets = [`${process.platform}-${process.arch}`];
}
// Output paths are the caller's; everything else is read from the checkout.
out &&= path.resolve(out);
const outDir = values['out-dir'] ? path.resolve(values['out-dir']) : undefined;
const caller = process.cwd();
process.chdir(path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const builds = dawnBuilds();
const known = [...builds.keys(), UNIVERSAL];
targets = [...new Set(targets ?? known)];
for (const t of targets) if (!known.includes(t)) fail(`no VSIX for "${t}": the targets are ${known.join(', ')}`);
if (out && targets.length !== 1) fail('--out names one VSIX: give one --target with it (or --out-dir for several)');

const outputs = targets.map((target) => ({
  target,
  dawn: builds.get(target) ?? null,
  file: out ?? path.join(outDir ?? path.resolve('out'), `${pkg.name}-${pkg.version}-${target}.vsix`),
}));

const started = Date.now();
if (!values['no-build']) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
// The packager used to copy Dawn into the checkout's dist/; that copy would shadow node_modules/webgpu.
fs.rmSync(path.join('dist', 'node_modules'), { recursive: true, force: true });

// vsce spends its time compressing and scanning for secrets, one core each: pack a few at once.
const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-vsix-'));
const queue = [...outputs];
const parallel = Math.max(1, Math.min(os.availableParallelism(), 4, queue.length));
const failures = [];
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let o = queue.shift(); o; o = queue.shift()) await pack(o, path.join(staging, o.target)).catch((err) => failures.push(err.message));
  }),
);
fs.rmSync(staging, { recursive: true, force: true });
if (failures.length > 0) fail(failures.join('\n'));

console.log(`\npackaged ${outputs.length} VSIX${outputs.length > 1 ? 'es' : ''} in ${((Date.now() - started) / 1000).toFixed(0)} s:`);
const shown = (file) => (path.relative(caller, file).startsWith('..') ? file : path.relative(caller, file));
const width = Math.max(...outputs.map((o) => shown(o.file).length));
for (const { target, dawn, file } of outputs) {
  const size = `${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MB`.padStart(8);
  const what = dawn ? `Dawn's ${dawn} build` : 'no native code: its worker has no WebGPU';
  console.log(`  ${shown(file).padEnd(width)} ${size}  ${target.padEnd(12)} ${what}`);
}

/** Stages one VSIX's files and packs them with vsce. */
async function pack({ target, dawn, file }, stage) {
  fs.mkdirSync(stage, { recursive: true });
  for (const source of SOURCES) {
    // Source maps stay out (.vscodeignore leaves them out too): the bundles run without them.
    fs.cpSync(source, path.join(stage, source), { recursive: true, filter: (f) => !f.endsWith('.map') });
  }
  if (dawn) {
    const to = path.join(stage, 'dist', 'node_modules', 'webgpu');
    for (const item of [...WEBGPU_FILES, path.join('dist', dawn)]) fs.cpSync(path.join(WEBGPU, item), path.join(to, item), { recursive: true });
  }
  fs.writeFileSync(path.join(stage, 'dist', 'vsix-target.json'), `${JSON.stringify({ target })}\n`);
  // vsce silently packs without a file the allowlist names: a renamed bundle would only fail on a user's machine.
  const named = fs
    .readFileSync('.vscodeignore', 'utf8')
    .split(/\r?\n/u)
    .filter((l) => l.startsWith('!') && !l.includes('*'));
  const missing = named.map((l) => l.slice(1)).filter((f) => !fs.existsSync(path.join(stage, f)));
  if (missing.length > 0) throw new Error(`the ${target} VSIX would lack ${missing.join(', ')} (npm run build makes the bundles)`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const vsce = path.resolve('node_modules', '@vscode', 'vsce', 'vsce');
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--ignoreFile', path.resolve('.vscodeignore'), '--out', file];
  if (target !== UNIVERSAL) args.push('--target', target);
  try {
    await promisify(execFile)(process.execPath, [vsce, ...args], { cwd: stage, maxBuffer: 2 ** 24 });
  } catch (err) {
    throw new Error(`vsce could not pack the ${target} VSIX:\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: err });
  }
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
