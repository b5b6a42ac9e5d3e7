import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GPU } from 'gpu.js';
import { KernelRunner } from '../src/engine/kernels/runner';
import { relativeFrobenius } from '../src/engine/measure';
import { currentPlatform } from '../src/engine/platform';
import { VARIANTS } from '../src/engine/variants/registry';
import type { Variant } from '../src/engine/variants/variant';
import type { BackendName } from '../src/model/backends';
import type { ParamValue } from '../src/model/params';
import { EXTRA_PARAMS, HEAD_DIMS, SIZES, prepare, qkvOf } from './helpers';

const TOLERANCE = 1e-4;

export interface KernelCase {
  n: number;
  d: number;
  causal: boolean;
  params: Record<string, ParamValue>;
}

/** The cases every variant's kernels are checked on: sizes x head dims x directions, plus other parameters. */
export function casesOf(variant: Variant): KernelCase[] {
  const cases: KernelCase[] = [];
  const directions = variant.directions === 'causal-only' ? [true] : [true, false];
  for (const n of SIZES) for (const d of HEAD_DIMS) for (const causal of directions) cases.push({ n, d, causal, params: {} });
  // A head dimension that is not a multiple of 4: the dot products' leftover channels.
  for (const causal of directions) cases.push({ n: 17, d: 5, causal, params: {} });
  for (const params of EXTRA_PARAMS[variant.id] ?? []) {
    for (const n of [17, 255]) for (const causal of directions) cases.push({ n, d: 8, causal, params });
  }
  return cases;
}

/** Runs one case: output size, no NaN, error against the float64 reference, backends, bytes. */
export async function checkCase(variant: Variant, c: KernelCase, backend: BackendName, gpu: GPU): Promise<void> {
  const label = `${variant.id} N=${c.n} d=${c.d} ${c.causal ? 'causal' : 'bidirectional'} ${JSON.stringify(c.params)}`;
  const run = prepare(variant, c.n, c.d, c.causal, c.params);
  const qkv = qkvOf(c.n, c.d);
  const runner = new KernelRunner(gpu, backend);
  try {
    const out = await run.plan(runner).run(qkv);
    assert.equal(out.data.length, c.n * c.d, `${label}: output size`);
    assert.ok(out.data.every(Number.isFinite), `${label}: non-finite output`);
    const rows = Array.from({ length: c.n }, (_, i) => i);
    const err = relativeFrobenius(out.data, run.reference(qkv, rows));
    assert.ok(err <= TOLERANCE, `${label}: relative error ${err} > ${TOLERANCE}`);
    assert.deepEqual(Object.keys(runner.kernelBackends()), [backend], `${label}: kernels ran on ${JSON.stringify(runner.kernelBackends())}`);
    assert.equal(runner.peakBytes, run.cost().predictedBytes, `${label}: measured vs predicted bytes`);
  } finally {
    runner.dispose();
  }
}

/**
 * Every variant's kernels against its float64 reference on one backend: N in {1, 2, 17, 255,
 * 1000}, d in {8, 64} (and 5 at N = 17), causal and bidirectional, plus other parameter settings. Each case also
 * checks that no value is NaN, that every kernel ran on the backend asked for, and that the
 * memory measured from the kernels' arrays is the cost model's prediction.
 */
export function kernelSuite(backend: BackendName, options: { required: boolean }, variants: readonly Variant[] = VARIANTS): void {
  describe(`kernels on ${backend} match the float64 references`, async () => {
    const probe = await currentPlatform().probe(backend);
    if (!probe.ok && !options.required) {
      it(`${backend} is not available here: ${probe.reason}`, { skip: probe.reason }, () => {});
      return;
    }
    it(`${backend} answers its probe`, () => assert.ok(probe.ok, `${backend} probe failed: ${probe.reason}`));
    for (const variant of variants) {
      it(variant.id, async () => {
        const gpu = currentPlatform().createGpu(backend);
        try {
          for (const c of casesOf(variant)) await checkCase(variant, c, backend, gpu);
        } finally {
          void gpu.destroy();
        }
      });
    }
  });
}
