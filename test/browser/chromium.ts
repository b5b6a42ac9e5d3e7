import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (browser downloads do not work here), found on the PATH's usual places. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
  return candidates.find((p) => fs.existsSync(p));
}

/**
 * WebGPU in headless Chromium without a GPU: SwiftShader's Vulkan, shipped in Debian's chromium
 * package (a CPU implementation: correct, slow). The page must be a secure context (127.0.0.1).
 */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader'];

export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  const base = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
  return chromium.launch({ executablePath, args: options.webgpu ? [...base, ...WEBGPU_FLAGS] : [...base, '--disable-gpu'] });
}

/** Screenshots and other artefacts of the browser tests (ignored by git). */
export const OUTPUT_DIR = 'test-output';
