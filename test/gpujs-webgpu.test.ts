import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { KernelThis } from '../src/engine/kernels/kernel-fn';
import { currentPlatform } from '../src/engine/platform';
import { errorSummary } from '../src/model/errors';
import './helpers';

/**
 * Regressions for what patches/gpu.js+2.24.1.patch fixes (both tests fail on an unpatched gpu.js) in gpu.js's webgpu backend. They need a
 * WebGPU adapter (Dawn); without one they report themselves skipped, unless CI requires webgpu.
 */
describe('gpu.js webgpu backend (patched)', async () => {
  const probe = await currentPlatform().probe('webgpu');
  const skip = probe.ok || process.env.CI === 'true' ? false : `webgpu is not available here: ${probe.reason}`;

  it('steps a loop counter that gpu.js declares f32 (counter from a non-literal integer): WGSL has no ++ on floats', { skip }, async () => {
    const gpu = currentPlatform().createGpu('webgpu');
    try {
      const kernel = gpu.createKernel(
        function (this: KernelThis, a: number[]) {
          let s = 0;
          for (let r = this.constants.start * 2; r < this.constants.end; r++) s += a[r];
          for (let t = this.thread.x; t < 4; t++) s += 100;
          for (let h = 0.5; h < 1; h++) s += h; // a float counter: the same bug
          let u = this.thread.x;
          u--;
          return s + 0 * u;
        } as never,
        { output: [4], constants: { start: 1, end: 5 }, asyncMode: true, precision: 'single' } as never,
      ) as unknown as (a: Float32Array) => Promise<Float32Array>;
      assert.deepEqual(Array.from(await kernel(Float32Array.from([1, 2, 3, 4, 5]))), [412.5, 312.5, 212.5, 112.5]);
    } finally {
      void gpu.destroy();
    }
  });

  it('rejects a shader that does not compile with the compiler message, and prints nothing', { skip }, () => {
    // In a child: Dawn prints uncaptured errors to the process's stdout, outside console.*.
    const child = `
      const { pathToFileURL } = require('node:url');
      import(pathToFileURL(require.resolve('webgpu')).href).then(async ({ create, globals }) => {
        Object.assign(globalThis, globals);
        if (!globalThis.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
        Object.defineProperty(globalThis.navigator, 'gpu', { value: create([]), configurable: true });
        const { GPU } = require('gpu.js');
        const kernel = new GPU({ mode: 'webgpu' }).createKernel(function (a) {
          let s = 0;
          for (let i = 0; i < 3000000000; i++) { s += a[0]; if (s > 3) break; }
          return s;
        }, { output: [2], asyncMode: true, precision: 'single' });
        kernel(Float32Array.from([1])).then(
          () => process.stdout.write('NO-ERROR\\n'),
          (e) => setTimeout(() => process.stdout.write('REJECTED ' + JSON.stringify(e.message) + '\\n'), 200));
      });`;
    const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 60_000 });
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `only the child's own line on stdout, got:\n${r.stdout}`);
    assert.match(lines[0] ?? '', /^REJECTED /u);
    const message = JSON.parse((lines[0] ?? '').slice('REJECTED '.length)) as string;
    assert.match(errorSummary(new Error(message)), /^Error compiling WGSL compute shader: \d+:\d+ value 3000000000 cannot be represented as 'i32'$/u);
    assert.equal(r.stderr.trim(), '', 'nothing on stderr');
  });
});

describe('errorSummary', () => {
  it("keeps the compiler lines after gpu.js's header and drops the generated source", () => {
    const err = new Error('Error compiling WGSL compute shader:\n  54:1 increment statement can only be applied to an integer scalar\n--- generated WGSL ---\nstruct Params {\n');
    assert.equal(errorSummary(err), 'Error compiling WGSL compute shader: 54:1 increment statement can only be applied to an integer scalar');
  });

  it('is the message itself for a one-line error, and bounded for long ones', () => {
    assert.equal(errorSummary(new Error('plain')), 'plain');
    assert.equal(errorSummary('a string'), 'a string');
    const long = errorSummary(new Error(Array.from({ length: 10 }, () => 'x'.repeat(200)).join('\n')));
    assert.ok(long.length <= 500 && long.endsWith('...'));
  });
});
