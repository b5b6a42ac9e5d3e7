import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where Dawn (the `webgpu` package) comes from. In development and the CLI, node_modules/webgpu.
 * In a VSIX for one target (`npm run package`, scripts/package.mjs), dist/node_modules/webgpu with
 * only that target's binary; the universal VSIX ships none. The packager says which build a VSIX is
 * in dist/vsix-target.json, next to the bundles; this module reads it, so that a missing Dawn is
 * explained in words the user can act on.
 */

/** The file next to the bundles that names the VSIX's target; absent in development. */
export const VSIX_TARGET_FILE = 'vsix-target.json';

/** The VSIX that ships no native code and installs on every platform. */
export const UNIVERSAL = 'universal';

/**
 * The VS Code targets that the webgpu package has a Dawn binary for, and the folder of its dist/
 * that each one ships (one universal binary serves both Macs). scripts/package.mjs reads the same
 * from the package; test/package.test.ts checks that the two agree.
 */
export const DAWN_BUILDS = {
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
} as const;

export type DawnTarget = keyof typeof DAWN_BUILDS;

/** Which VSIX the running bundle came from: a Dawn target or the universal one; undefined outside a VSIX. */
export function vsixTarget(bundleDir: string = __dirname): DawnTarget | typeof UNIVERSAL | undefined {
  let target: unknown;
  try {
    target = (JSON.parse(fs.readFileSync(path.join(bundleDir, VSIX_TARGET_FILE), 'utf8')) as { target?: unknown }).target;
  } catch {
    return undefined;
  }
  return target === UNIVERSAL || (typeof target === 'string' && Object.hasOwn(DAWN_BUILDS, target)) ? (target as DawnTarget | typeof UNIVERSAL) : undefined;
}

/**
 * The webgpu probe's reason when the module cannot be found: `detail` is the resolver's message.
 * `host` is the VS Code target this process runs on.
 */
export function dawnNotFoundReason(detail: string, bundleDir: string = __dirname, host = `${process.platform}-${process.arch}`): string {
  const target = vsixTarget(bundleDir);
  if (target === UNIVERSAL) {
    const instead = Object.hasOwn(DAWN_BUILDS, host) ? `install the VSIX for your platform (${host})` : `there is no Dawn binary for ${host}`;
    return `this is the universal VSIX, which ships no Dawn binary: the worker lane has no WebGPU; ${instead}, or use the view's GPU lane`;
  }
  if (target) return `the ${target} VSIX should hold Dawn in dist/node_modules/webgpu, but it cannot be found (${detail}); reinstall the extension`;
  return `the webgpu (Dawn) module is not installed (${detail})`;
}
