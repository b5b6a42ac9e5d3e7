// Builds every bundle with esbuild: the CLI, the extension host, the profiling worker and the
// webview. `npm install` runs it (the "prepare" script); `npm test` runs it first.
import * as esbuild from 'esbuild';

/** Native modules are loaded at run time from node_modules, never bundled. */
const nativeModules = ['gl', 'webgpu'];

const node = { platform: 'node', format: 'cjs', target: 'node20' };

const bundles = [
  // The CLI runs inside the project, so it loads its dependencies from node_modules.
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', packages: 'external' },
  // The extension host bundle holds only activation, the view provider and the protocol:
  // gpu.js and the tokenizer live in the worker bundle (a test checks this).
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/worker/main.ts'], outfile: 'dist/worker.js', external: nativeModules },
  {
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
  },
  // The script inlined into exported HTML reports: the same cards and charts, no VS Code.
  {
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['webview/report-viewer.ts'],
    outfile: 'dist/webview/report-viewer.js',
    sourcemap: false,
  },
];

const watch = process.argv.includes('--watch');
for (const options of bundles) {
  const config = { bundle: true, sourcemap: true, logLevel: 'warning', ...options, external: [...nativeModules, ...(options.external ?? [])] };
  if (watch) {
    const ctx = await esbuild.context(config);
    await ctx.watch();
  } else {
    await esbuild.build(config);
  }
}
