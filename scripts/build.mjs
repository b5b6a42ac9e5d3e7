// Builds every bundle with esbuild: the CLI now; the extension, worker and webview bundles join
// this list as they are added. `npm install` runs it (the "prepare" script).
import * as esbuild from 'esbuild';

/** Native or runtime-loaded modules stay outside the bundles: they are required at run time. */
const nodeExternals = ['gl', 'webgpu'];

const bundles = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Dependencies are loaded from node_modules by the CLI (installed with the project).
    packages: 'external',
  },
];

const watch = process.argv.includes('--watch');
for (const options of bundles) {
  const config = { bundle: true, sourcemap: true, logLevel: 'warning', external: nodeExternals, ...options };
  if (watch) {
    const ctx = await esbuild.context(config);
    await ctx.watch();
  } else {
    await esbuild.build(config);
  }
}
