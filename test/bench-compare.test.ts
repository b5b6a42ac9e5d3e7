import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareBench, machineClass, type BenchEntry } from '../scripts/bench-compare';

const entry = (medianMs: number, minMs: number, maxMs: number, id = 'full', n = 4096): BenchEntry => ({ id, n, status: 'ok', medianMs, minMs, maxMs, runs: 5 });

describe('npm run bench against its baseline', () => {
  it('calls a variant slower only when the ranges are apart and the median is at least 10% slower', () => {
    assert.deepEqual(compareBench([entry(100, 95, 105)], [entry(104, 96, 112)]), [], 'overlapping ranges are noise');
    assert.deepEqual(compareBench([entry(100, 99, 101)], [entry(105, 102, 108)]), [], 'apart but under 10% is noise');
    const slower = compareBench([entry(100, 95, 105)], [entry(120, 110, 130)]);
    assert.equal(slower.length, 1);
    assert.equal(slower[0].kind, 'slower');
    assert.match(slower[0].detail, /120\.0 ms \[110\.0-130\.0\] vs baseline 100\.0 ms \[95\.0-105\.0\], x1\.20/u);
  });

  it('tells a faster variant (to accept with --update-baseline) and one that no longer runs', () => {
    assert.equal(compareBench([entry(100, 95, 105)], [entry(60, 55, 70)])[0].kind, 'faster');
    const gone = compareBench([entry(100, 95, 105)], [{ id: 'full', n: 4096, status: 'failed', reason: 'kernel exploded' }]);
    assert.deepEqual(
      gone.map((c) => [c.kind, c.detail]),
      [['no longer runs', 'failed: kernel exploded (baseline 100.0 ms)']],
    );
  });

  it('compares each variant at each length with the same one only', () => {
    assert.deepEqual(compareBench([entry(100, 95, 105, 'full', 1024)], [entry(400, 390, 410, 'full', 4096)]), []);
    assert.deepEqual(compareBench([entry(100, 95, 105, 'sliding')], [entry(400, 390, 410, 'full')]), []);
  });

  it('names the machine class from the CPU, cores, platform, backend and threads', () => {
    assert.equal(machineClass({ platform: 'linux', arch: 'x64', cpu: 'AMD EPYC', cpuCount: 2 }, 'webasm', 1), 'linux-x64-amd-epyc-2cpu-webasm-1t');
    assert.equal(
      machineClass({ platform: 'darwin', arch: 'arm64', cpu: 'Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz', cpuCount: 12 }, 'cpu', 1),
      'darwin-arm64-intel-core-i7-9750h-12cpu-cpu-1t',
    );
  });
});
