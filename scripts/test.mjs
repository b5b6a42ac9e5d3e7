// The README's test command (`npm test`): build the bundles, type-check, check the import layers,
// lint and formatting (all of it alone: `npm run lint`), then run every test file with node's
// built-in runner. Tests that need a display (headless-gl) get one from xvfb-run
// when it is installed and no DISPLAY is set; on CI (CI=true) the headless-gl suite is required.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function run(command, args, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const lintOnly = process.argv.includes('--lint-only');
const filter = process.argv.slice(2).filter((a) => a !== '--lint-only');
const files = fs
  .readdirSync('test', { recursive: true })
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith('desktop'))
  .map((f) => path.join('test', f))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

run(process.execPath, ['scripts/build.mjs']);
const tsc = path.join('node_modules', 'typescript', 'bin', 'tsc');
run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit']);
run(process.execPath, [tsc, '-p', 'webview/tsconfig.json', '--noEmit']);
run(process.execPath, [tsc, '-p', 'test/tsconfig.json', '--noEmit']);
// The import layers (dependency-cruiser), the linter (typescript-eslint, type-checked) and the formatter (Prettier).
run(process.execPath, [path.join('node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'src', 'webview', 'scripts', '--config', '.dependency-cruiser.cjs']);
run(process.execPath, [path.join('node_modules', 'eslint', 'bin', 'eslint.js'), '.']);
run(process.execPath, [path.join('node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.']);
if (lintOnly) process.exit(0);

/**
 * Tests that need a WebGPU adapter in Node (files named *webgpu*) run in their own process, with
 * Dawn's Vulkan loader pointed at SwiftShader when Debian's chromium package provides it (a CPU
 * implementation of Vulkan: correct, slow; it stands in for a GPU here). Only that process gets
 * the chromium library path, so nothing else loads chromium's libraries.
 */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const needsAdapter = (f) => path.basename(f).includes('webgpu');
// The backends' calibration ceilings are cached in a folder of this test run, not the user's ~/.cache.
const testEnv = { ...process.env, ATTENTION_PROFILER_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'attention-profiler-cache-')) };
const groups = [
  { files: files.filter((f) => !needsAdapter(f)), env: testEnv },
  {
    files: files.filter(needsAdapter),
    env:
      fs.existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES ? { ...testEnv, VK_ICD_FILENAMES: SWIFTSHADER_ICD, LD_LIBRARY_PATH: path.dirname(SWIFTSHADER_ICD) } : testEnv,
  },
];
if (!fs.existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES)
  console.log(`note: no ${SWIFTSHADER_ICD} (apt-get install chromium): the webgpu tests use whatever adapter Dawn finds, or report themselves skipped`);
const display = process.env.DISPLAY || !hasCommand('xvfb-run') ? [] : ['xvfb-run', '-a'];
if (!process.env.DISPLAY && display.length === 0) console.log('note: no DISPLAY and no xvfb-run: the headless-gl tests will report themselves skipped');
let failed = 0;
for (const group of groups) {
  if (group.files.length === 0) continue;
  const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...group.files];
  const [command, ...args] = [...display, process.execPath, ...nodeArgs];
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', env: group.env });
  if (r.error) throw r.error;
  if (r.status !== 0) failed = r.status ?? 1;
}
process.exit(failed);
