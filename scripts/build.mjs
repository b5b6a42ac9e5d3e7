// Builds every bundle with esbuild: the CLI, the extension host, the profiling worker and the
// webview. `npm install` runs it (the "prepare" script); `npm test` runs it first.
import * as esbuild from 'esbuild';
import * as path from 'node:path';

/** Native modules are loaded at run time from node_modules, never bundled. */
const nativeModules = ['gl', 'webgpu'];

const node = { platform: 'node', format: 'cjs', target: 'node20' };

/** `import 'gpu.js'` resolved to gpu.js's browser entry in its sources (subpaths such as gpu.js/package.json stay). */
const gpujsFromSources = {
  name: 'gpujs-from-sources',
  setup(build) {
    build.onResolve({ filter: /^gpu\.js$/ }, () => ({ path: path.resolve('node_modules/gpu.js/src/browser.js') }));
  },
};

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
  // The view's GPU lane: the engine in a Web Worker of the view, on gpu.js's browser backends.
  // gpu.js comes from its sources (src/browser.js), not its prebuilt dist/gpu-browser.js, so that
  // patches/gpu.js+2.24.1.patch applies here too. The lane has no tokenizer (its host sends
  // tokens), and gpu.js's Node-only modules are never loaded in a browser.
  {
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['src/lane/main.ts'],
    outfile: 'dist/webview/lane.js',
    plugins: [gpujsFromSources],
    external: ['gpt-tokenizer', 'gpt-tokenizer/*', 'os', 'worker_threads', 'fs'],
  },
  // The script inlined into exported HTML reports: the same cards and charts, no VS Code.
  {
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['webview/report-viewer.ts'],
    outfile: 'dist/webview/report-viewer.js',
    sourcemap: false,
    // Inlined into every HTML export: minified, it is about half the size.
    minify: true,
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
