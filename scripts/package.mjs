// `npm run package`: builds the bundles and packs the extension as a VSIX with @vscode/vsce.
// The bundles hold every JavaScript dependency; the one native module shipped is Dawn (webgpu),
// for this platform only (a platform-specific VSIX): it loads in VS Code's extension host and
// lets the webgpu backend run where a GPU answers. headless-gl is not shipped: it is built for
// Node's ABI, not Electron's, and needs an X display.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const target = `${process.platform}-${process.arch}`;
const out = process.argv[2] ?? path.join('out', `attention-profiler-${pkg.version}-${target}.vsix`);

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

const from = path.join('node_modules', 'webgpu');
const to = path.join('dist', 'node_modules', 'webgpu');
fs.rmSync(path.join('dist', 'node_modules'), { recursive: true, force: true });
const dawnDir = path.join('dist', process.platform === 'darwin' ? 'darwin-universal' : target);
if (fs.existsSync(path.join(from, dawnDir))) {
  for (const item of ['package.json', 'index.js', dawnDir]) fs.cpSync(path.join(from, item), path.join(to, item), { recursive: true });
} else {
  console.warn(`package: webgpu has no Dawn build for ${target}; the VSIX will report webgpu as unavailable`);
}

fs.mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, [path.join('node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--target', target, '--out', out], { stdio: 'inherit' });
console.log(`packaged ${out}`);
