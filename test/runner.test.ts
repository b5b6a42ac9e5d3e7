import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KernelThis } from '../src/engine/kernels/kernel-fn';
import { CancelledError, KernelRunner, hostMatrix } from '../src/engine/kernels/runner';
import { nodePlatform } from '../src/engine/node/platform';

describe('kernel runner', () => {
  it("reports a kernel gpu.js quietly moved from webasm to cpu, with gpu.js's reason, instead of printing it", async () => {
    const runner = new KernelRunner(nodePlatform.createGpu('webasm'), 'webasm');
    const kernel = runner.kernel({
      name: 'vec4 sum',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.x][0] + a[this.thread.x][3];
      },
      output: [2],
      argumentTypes: { a: 'Array1D(4)' },
    });
    const warn = console.warn;
    let printed = false;
    console.warn = () => {
      printed = true;
    };
    try {
      const out = await runner.run(kernel, [
        {
          raw: [
            [1, 2, 3, 4],
            [5, 6, 7, 8],
          ],
        },
      ]);
      assert.deepEqual(Array.from(out.data), [5, 13]);
    } finally {
      console.warn = warn;
    }
    assert.equal(printed, false, 'the warning is kept in the report, not printed');
    assert.deepEqual(runner.kernelBackends(), { cpu: 1 });
    assert.deepEqual(runner.kernelFallbacks, [{ kernel: 'vec4 sum', ranOn: 'cpu', reason: 'argument "a" of type Array1D(4) is not supported on the webasm backend' }]);
    assert.match(runner.warnings.join('\n'), /Falling back to CPU/u);
    runner.dispose();
  });

  it('counts live intermediate bytes and their peak; the output is not an intermediate', async () => {
    const runner = new KernelRunner(nodePlatform.createGpu('cpu'), 'cpu');
    const twice = runner.kernel({
      name: 'twice',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.y][this.thread.x] * 2;
      },
      output: [3, 2],
    });
    const x = hostMatrix(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2);
    const a = await runner.run(twice, [x]);
    const b = await runner.run(twice, [a]);
    assert.equal(runner.peakBytes, 48);
    runner.release(a);
    const out = await runner.run(twice, [b], 'output');
    assert.deepEqual(Array.from(out.data), [8, 16, 24, 32, 40, 48]);
    assert.equal(runner.peakBytes, 48);
    runner.dispose();
  });

  it('stops between kernels when asked to cancel', async () => {
    let cancel = false;
    const runner = new KernelRunner(nodePlatform.createGpu('cpu'), 'cpu', () => cancel);
    const one = runner.kernel({
      name: 'one',
      fn: function () {
        return 1;
      },
      output: [4],
    });
    await runner.run(one, []);
    cancel = true;
    await assert.rejects(runner.run(one, []), CancelledError);
    runner.dispose();
  });
});

describe('gpu.js webasm reads with a row shared by the SIMD lanes (patches/gpu.js+2.24.1.patch)', () => {
  // The patch loads 4 neighbouring cells with one v128.load when the lanes' addresses turn out
  // consecutive at run time, and gathers otherwise; both must read exactly what the cpu backend reads.
  const width = 13;
  const height = 3;
  const data = Float32Array.from({ length: width * height }, (_, i) => i * 1.5 - 7);
  const at = (y: number, x: number) => data[Math.min(Math.max(y * width + x, 0), width * height - 1)] ?? NaN;
  const cases: Array<{ name: string; fn: (this: KernelThis, a: number[][]) => number; expected: (y: number, x: number) => number }> = [
    {
      name: 'neighbouring cells a[y][x]',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.y][this.thread.x];
      },
      expected: (y, x) => at(y, x),
    },
    {
      name: 'reversed a[y][w-1-x]',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.y][12 - this.thread.x];
      },
      expected: (y, x) => at(y, 12 - x),
    },
    {
      name: 'every other cell a[y][2x]',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.y][(2 * this.thread.x) % 13];
      },
      expected: (y, x) => at(y, (2 * x) % 13),
    },
    {
      name: 'a row picked per lane a[x % 3][y]',
      fn: function (this: KernelThis, a: number[][]) {
        return a[this.thread.x % 3][this.thread.y];
      },
      expected: (y, x) => at(x % 3, y),
    },
  ];
  for (const c of cases) {
    it(`reads ${c.name} as the cpu backend does`, async () => {
      const runner = new KernelRunner(nodePlatform.createGpu('webasm'), 'webasm');
      const kernel = runner.kernel({ name: c.name, fn: c.fn, output: [width, height] });
      const out = await runner.run(kernel, [hostMatrix(data, width, height)]);
      assert.deepEqual(runner.kernelBackends(), { webasm: 1 });
      const expected = Array.from({ length: width * height }, (_, i) => c.expected(Math.floor(i / width), i % width));
      assert.deepEqual(Array.from(out.data), expected);
      runner.dispose();
    });
  }
});

describe('webasm result buffers of released arrays', () => {
  const fill = function (this: KernelThis, base: number) {
    return base + this.thread.y * 8 + this.thread.x;
  };
  const values = (base: number) => Array.from({ length: 32 }, (_, i) => base + i);

  it('are written by a later result of the same size, which still reads right', async () => {
    const runner = new KernelRunner(nodePlatform.createGpu('webasm'), 'webasm');
    const kernel = runner.kernel({ name: 'fill', fn: fill, output: [8, 4] });
    const a = await runner.run(kernel, [100]);
    const kept = await runner.run(kernel, [200]);
    assert.notEqual(kept.data.buffer, a.data.buffer, 'a live array is never reused');
    runner.release(a);
    const b = await runner.run(kernel, [300]);
    assert.equal(b.data.buffer, a.data.buffer, 'the released buffer is reused');
    assert.deepEqual(Array.from(b.data), values(300));
    assert.deepEqual(Array.from(kept.data), values(200), 'other arrays are untouched');
    runner.dispose();
  });

  it('go to one later result only, even when released twice', async () => {
    const runner = new KernelRunner(nodePlatform.createGpu('webasm'), 'webasm');
    const kernel = runner.kernel({ name: 'fill', fn: fill, output: [8, 4] });
    const a = await runner.run(kernel, [1]);
    runner.release(a);
    runner.release(a);
    const b = await runner.run(kernel, [2]);
    const c = await runner.run(kernel, [3]);
    assert.notEqual(b.data.buffer, c.data.buffer);
    assert.deepEqual(Array.from(b.data), values(2));
    assert.deepEqual(Array.from(c.data), values(3));
    runner.dispose();
  });
});
