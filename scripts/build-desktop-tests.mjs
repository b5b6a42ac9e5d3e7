// Bundles test/desktop/*.test.ts for @vscode/test-cli (they run inside VS Code's extension host).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const entryPoints = fs
  .readdirSync('test/desktop')
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/desktop/${f}`);
await esbuild.build({ entryPoints, outdir: 'out/desktop-tests', bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] });
