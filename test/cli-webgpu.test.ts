import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseNpyMatrix } from '../src/engine/npy';
import { relativeFrobenius } from '../src/engine/measure';
import { currentPlatform } from '../src/engine/platform';
import { DEFAULTS } from '../src/model/limits';
import { storedReportSchema } from '../src/model/report';
import { VARIANT_IDS } from '../src/model/variant-ids';
import './helpers';

const BIN = path.resolve(__dirname, '..', 'bin', 'attention-profiler.js');
const TEXT = fs.readFileSync(path.resolve(__dirname, 'fixtures', 'attention-notes.md'), 'utf8').slice(0, 900);

function profileOn(backend: string, dir: string): ReturnType<typeof storedReportSchema.parse> {
  const json = path.join(dir, 'report.json');
  const r = spawnSync(process.execPath, [BIN, 'profile', '--text', TEXT, '--backend', backend, '--json', json, '--dump-outputs', dir, '--time-budget-ms', '0'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  assert.equal(r.status, 0, `${backend}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return storedReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
}

describe('the CLI on a WebGPU adapter (Dawn)', async () => {
  const probe = await currentPlatform().probe('webgpu');
  const skip = probe.ok || process.env.CI === 'true' ? false : `webgpu is not available here: ${probe.reason}`;

  it("runs all 14 variants on webgpu, each passing its gate, with outputs equal to the cpu backend's within the gate's tolerance", { skip }, () => {
    const gpuDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-webgpu-'));
    const cpuDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-cpu-'));
    const report = profileOn('webgpu', gpuDir);
    profileOn('cpu', cpuDir);
    assert.equal(report.backend.selected, 'webgpu');
    assert.deepEqual(
      report.variants.map((v) => [v.id, v.status]),
      VARIANT_IDS.map((id) => [id, 'ok']),
    );
    for (const v of report.variants) {
      assert.ok(v.check?.passed, `${v.id}: gate ${v.check?.relError}`);
      assert.deepEqual(Object.keys(v.backend.kernels), ['webgpu'], `${v.id}: every kernel ran on webgpu`);
      const onGpu = parseNpyMatrix(fs.readFileSync(path.join(gpuDir, `${v.id}.npy`)), v.id);
      const onCpu = parseNpyMatrix(fs.readFileSync(path.join(cpuDir, `${v.id}.npy`)), v.id);
      const err = relativeFrobenius(onGpu.data, onCpu.data);
      assert.ok(err <= DEFAULTS.gateTolerance, `${v.id}: webgpu vs cpu relative error ${err}`);
    }
  });
});
