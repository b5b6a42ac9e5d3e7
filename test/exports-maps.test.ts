import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { deflateBound, deflateRaw, fromBase64, inflateRaw, toBase64 } from '../src/model/codec';
import { parseSaved } from '../src/model/exports';
import { LIMITS } from '../src/model/limits';
import { loadMap, quantisationError, storeMap, storedMapSchema, type VariantMap } from '../src/model/maps';
import { readStoredReport, REPORT_VERSION, storeReport, storedReportSchema, type ProfileReport } from '../src/model/report';

/** Deterministic bytes: runs, repeats and noise, as maps have them. */
function sampleBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = i % 1000 < 400 ? 0 : i % 7 === 0 ? s >>> 24 : (i >> 5) & 255;
  }
  return out;
}

function map(kind: 'mask' | 'weights', rows: number, cols: number, value: (r: number, c: number) => number): VariantMap {
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = value(r, c);
  return { kind, rows, cols, sourceRows: rows * 2, sourceCols: cols * 2, rowQuery: Array.from({ length: rows }, (_, r) => r * 2), values };
}

/** Every value read back within the error its quantisation states (plus float32 rounding). */
function assertWithinQuantisation(original: VariantMap, stored: ReturnType<typeof storeMap>, back: VariantMap): void {
  assert.equal(back.values.length, original.values.length);
  const scale = 'scale' in stored.values ? stored.values.scale : 1;
  for (let i = 0; i < original.values.length; i++) {
    const v = original.values[i];
    const tolerance = quantisationError(stored.values.quantisation, scale, v) + Math.abs(v) * 1.2e-7;
    assert.ok(Math.abs(back.values[i] - v) <= tolerance, `cell ${i}: ${back.values[i]} read back for ${v} (${stored.values.quantisation}, tolerance ${tolerance})`);
  }
}

describe('base64 and raw deflate in the model (btoa/atob and fflate)', () => {
  it('base64 matches Node, and refuses bad text', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000, 100_001]) {
      const bytes = crypto.randomBytes(n);
      const text = toBase64(bytes);
      assert.equal(text, bytes.toString('base64'));
      assert.deepEqual(Buffer.from(fromBase64(text)), bytes);
    }
    assert.throws(() => fromBase64('abc'), /not a multiple of 4/u);
    assert.throws(() => fromBase64('ab$d'), /bad character at 2/u);
    assert.throws(() => fromBase64('a=bc'), /bad character at 1/u);
  });

  it('deflateRaw writes what zlib reads; inflateRaw reads what zlib writes (fixed, dynamic and stored blocks)', () => {
    const cases = [new Uint8Array(0), new Uint8Array([7]), new Uint8Array(70_000), sampleBytes(300_000, 1), crypto.randomBytes(100_000), Buffer.from('attention '.repeat(5000))];
    for (const data of cases) {
      const ours = deflateRaw(data);
      assert.deepEqual(zlib.inflateRawSync(ours), Buffer.from(data), `zlib reads ours (${data.length} bytes)`);
      assert.deepEqual(Buffer.from(inflateRaw(ours, data.length)), Buffer.from(data));
      for (const options of [{ level: 9 }, { level: 1 }, { level: 0 }, { strategy: zlib.constants.Z_FIXED }, { strategy: zlib.constants.Z_HUFFMAN_ONLY }]) {
        assert.deepEqual(Buffer.from(inflateRaw(zlib.deflateRawSync(data, options), data.length)), Buffer.from(data), `ours reads zlib ${JSON.stringify(options)}`);
      }
    }
    for (const size of [1, 1000, 262_144, 1_048_576])
      assert.ok(deflateRaw(crypto.randomBytes(size)).length <= deflateBound(size), `incompressible data stays within the bound (${size} bytes)`);
    assert.ok(deflateRaw(new Uint8Array(262_144)).length < 2000, 'a run of zeros compresses');
  });

  it('inflateRaw never writes more than it was told, and says what is wrong', () => {
    const data = sampleBytes(50_000, 3);
    const packed = deflateRaw(data);
    assert.throws(() => inflateRaw(packed, data.length - 1), /holds more than the 49999 bytes stated/u);
    assert.throws(() => inflateRaw(packed, data.length + 1), /holds 50000 bytes, not the 50001 stated/u);
    assert.throws(() => inflateRaw(packed.subarray(0, packed.length >> 1), data.length), /ends early/u);
    assert.throws(() => inflateRaw(new Uint8Array([0xff, 0xff, 0xff]), 10), /invalid block type|invalid code|over-subscribed|ends early/u);
    // A deflate bomb: 100 MB of zeros in a few hundred kilobytes is refused at the stated size.
    const bomb = zlib.deflateRawSync(Buffer.alloc(100_000_000), { level: 9 });
    assert.throws(() => inflateRaw(bomb, 262_144), /holds more than the 262144 bytes stated/u);
  });
});

describe('maps in files: quantised, compressed, base64', () => {
  it('a mask keeps 0 and 1 exactly and fractions within 1/510', () => {
    const mask = map('mask', 64, 48, (r, c) => (c <= r ? 1 : c === r + 1 ? 1 / 3 : c === r + 2 ? 0.125 : 0));
    const stored = storeMap(mask);
    assert.equal(stored.values.quantisation, 'linear-u8');
    assert.ok(storedMapSchema.safeParse(stored).success);
    const back = loadMap(stored);
    assertWithinQuantisation(mask, stored, back);
    for (let i = 0; i < mask.values.length; i++) if (mask.values[i] === 0 || mask.values[i] === 1) assert.equal(back.values[i], mask.values[i]);
    assert.deepEqual({ ...back, values: undefined }, { ...mask, values: undefined });
  });

  it('weights keep three significant digits (log scale), down to scale * 2^-40', () => {
    const weights = map('weights', 40, 40, (r, c) => (c > r ? 0 : Math.exp(-((r - c) / 3)) * (1 + Math.sin(r * c)) * 1e-3 + (c === 0 ? 1e-14 : 0)));
    const stored = storeMap(weights);
    assert.equal(stored.values.quantisation, 'log2-u16');
    const back = loadMap(stored);
    assertWithinQuantisation(weights, stored, back);
    assert.ok(quantisationError('log2-u16', 1, 1) < 2.2e-4, 'three significant digits');
  });

  it('a map with negative values is stored exactly (float32); an all-zero map reads back as zeros', () => {
    const signed = map('weights', 8, 8, (r, c) => (r - c) / 7);
    const stored = storeMap(signed);
    assert.equal(stored.values.quantisation, 'float32');
    assert.deepEqual(loadMap(stored).values, signed.values);
    const zeros = map('weights', 4, 4, () => 0);
    assert.deepEqual(loadMap(storeMap(zeros)).values, zeros.values);
  });

  it('refuses a map whose sizes do not match its data or its source', () => {
    const stored = storeMap(map('mask', 16, 16, (r, c) => (c <= r ? 1 : 0)));
    assert.throws(() => loadMap({ ...stored, rows: 17, rowQuery: [...stored.rowQuery, 31] }), /does not match its 17 x 16 cells/u);
    assert.throws(() => loadMap({ ...stored, rowQuery: stored.rowQuery.slice(1) }), /rowQuery has 15 entries for 16 rows/u);
    assert.throws(() => loadMap({ ...stored, sourceRows: 8 }), /more than the 8 x 32 they show/u);
    assert.throws(() => loadMap({ ...stored, rowQuery: stored.rowQuery.map((q) => q * 10) }), /rowQuery names query \d+, past the 32 queries/u);
    assert.throws(() => loadMap({ ...stored, values: { ...stored.values, data: 'AAAA' } }), /does not match its 16 x 16 cells/u);
    const huge = storedMapSchema.safeParse({ ...stored, rows: 100_000, cols: 100_000 });
    assert.equal(huge.success, false);
    assert.match(huge.error.issues[0].message, /100000 rows is more than a map may have \(512\)/u);
  });
});

/** A small report with every variant field the schema has, and maps. */
function smallReport(): ProfileReport {
  const variant = (id: string, m: VariantMap) => ({
    id,
    name: id,
    family: 'test',
    status: 'ok' as const,
    params: { window: 4 },
    maskType: 'mask' as const,
    attribution: 'test',
    backend: { selected: 'cpu', kernels: { cpu: 5 }, fallbacks: [], warnings: [] },
    time: { firstCallMs: 2, medianMs: 1, minMs: 0.9, maxMs: 1.2, runs: 5, warmups: 2, samplesMs: [1, 1, 0.9, 1.2, 1] },
    memory: { predictedBytes: 1024, measuredBytes: 1024, weightBytes: 0 },
    predictedFlops: 100,
    nnz: 10,
    density: 0.5,
    map: m,
  });
  return {
    schema: 'attention-profiler/report',
    version: REPORT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    cancelled: false,
    tool: { name: 'attention-profiler', version: '0.1.0' },
    environment: { node: 'v20', gpujs: '2.24.1', platform: 'linux', arch: 'x64', cpu: 'test', cpuCount: 2 },
    backend: { requested: 'cpu', selected: 'cpu', lane: 'worker', device: '', threads: 1, probes: [] },
    input: {
      kind: 'ids',
      source: 'ids',
      n: 16,
      d: 8,
      seed: 1,
      causal: true,
      qkv: 'synthetic',
      tokens: Array.from({ length: 16 }, (_, i) => ({ id: i, text: `t${i}` })),
    },
    settings: { repeats: 5, warmups: 2, timeBudgetMs: 0, memoryBudgetBytes: 2 ** 30, gateTolerance: 1e-4, checkedRows: 16 },
    variants: [
      variant(
        'sliding',
        map('mask', 8, 8, (r, c) => (c <= r && c > r - 3 ? 1 : 0)),
      ),
      variant(
        'linear',
        map('weights', 8, 8, (r, c) => (c <= r ? 1 / (r + 1) : 0)),
      ),
    ],
  };
}

/** The same report as a version 1 file held it: maps as plain numbers. */
function version1(report: ProfileReport): unknown {
  return {
    ...report,
    version: 1,
    variants: report.variants.map(({ map: m, ...v }) => (m ? { ...v, map: { ...m, values: Array.from(m.values) } } : v)),
  };
}

describe('saved runs: versions and bounds', () => {
  it('a stored report validates and reads back (version 2)', () => {
    const report = smallReport();
    const stored = JSON.parse(JSON.stringify(storeReport(report))) as unknown;
    assert.ok(storedReportSchema.safeParse(stored).success);
    const read = readStoredReport(stored);
    assert.ok(read.ok);
    assert.deepEqual(read.omitted, []);
    assert.equal(read.report.variants.length, 2);
    assert.deepEqual(read.report.variants[0].map!.values, report.variants[0].map!.values);
  });

  it('a version 1 file (maps as numbers) still opens, as the same run', () => {
    const report = smallReport();
    const parsed = parseSaved(JSON.stringify(version1(report)));
    assert.ok(parsed.ok && parsed.content.kind === 'run', parsed.ok ? '' : parsed.error);
    assert.equal(parsed.content.report.version, REPORT_VERSION);
    assert.deepEqual(parsed.content.report.variants[1].map!.values, report.variants[1].map!.values);
    assert.equal(parsed.content.omitted, undefined);
  });

  it('a newer version, or something else, is refused in one line', () => {
    const newer = parseSaved(JSON.stringify({ ...(storeReport(smallReport()) as object), version: 3 }));
    assert.ok(!newer.ok);
    assert.match(newer.error, /report version 3 was written by a newer Attention Profiler; this one reads versions 1 to 2/u);
    const other = parseSaved('{"schema":"something"}');
    assert.ok(!other.ok && /not an Attention Profiler run or sweep/u.test(other.error));
    const notJson = parseSaved('{');
    assert.ok(!notJson.ok && /^not JSON/u.test(notJson.error));
    const longText = parseSaved(JSON.stringify({ ...(storeReport(smallReport()) as object), createdAt: 'x'.repeat(20_000) }));
    assert.ok(!longText.ok);
    assert.match(longText.error, /createdAt: a text of 20000 characters is longer than the 10000 allowed/u);
    assert.doesNotMatch(longText.error, /\n/u);
  });

  it('a map over the bounds is left out with the reason; the rest of the run shows', () => {
    for (const file of [storeReport(smallReport()), version1(smallReport())] as Array<{ variants: Array<{ map: Record<string, unknown> }> }>) {
      const json = JSON.parse(JSON.stringify(file)) as typeof file;
      json.variants[0].map = { ...json.variants[0].map, rows: 100_000, cols: 100_000 };
      const parsed = parseSaved(JSON.stringify(json));
      assert.ok(parsed.ok && parsed.content.kind === 'run', parsed.ok ? '' : parsed.error);
      assert.equal(parsed.content.report.variants.length, 2);
      assert.equal(parsed.content.report.variants[0].map, undefined);
      assert.ok(parsed.content.report.variants[1].map);
      assert.deepEqual(parsed.content.omitted, [{ part: 'map', variant: 'sliding', reason: 'rows: 100000 rows is more than a map may have (512)' }]);
    }
  });

  it('a map whose data does not match its size, and a malformed variant, are left out; too many tokens leave the tokens out', () => {
    const json = JSON.parse(JSON.stringify(storeReport(smallReport()))) as {
      input: { tokens: unknown[] };
      variants: Array<Record<string, unknown> & { map: { rows: number; rowQuery: number[] } }>;
    };
    json.variants[1].map.rows = 4;
    json.variants[1].map.rowQuery = json.variants[1].map.rowQuery.slice(0, 4);
    json.variants.push({ ...json.variants[0], id: 'broken', status: 'exploded' });
    json.input.tokens = Array.from({ length: LIMITS.maxTokens + 1 }, (_, i) => ({ id: i, text: 't' }));
    const parsed = parseSaved(JSON.stringify(json));
    assert.ok(parsed.ok && parsed.content.kind === 'run', parsed.ok ? '' : parsed.error);
    assert.deepEqual(
      parsed.content.report.variants.map((v) => [v.id, Boolean(v.map)]),
      [
        ['sliding', true],
        ['linear', false],
      ],
    );
    assert.equal(parsed.content.report.input.tokens, undefined);
    const omitted = parsed.content.omitted ?? [];
    assert.deepEqual(
      omitted.map((o) => [o.part, o.variant]),
      [
        ['tokens', undefined],
        ['map', 'linear'],
        ['variant', 'broken'],
      ],
    );
    assert.match(omitted[0].reason, /input.tokens: 65537 items are more than the 65536 allowed/u);
    assert.match(omitted[1].reason, /does not match its 4 x 8 cells \(the compressed data holds more than the 64 bytes stated\)/u);
    assert.match(omitted[2].reason, /^status: /u);
  });

  it('a sweep file is bounded too', () => {
    const sweep = { schema: 'attention-profiler/sweep', version: 1 };
    const parsed = parseSaved(JSON.stringify(sweep));
    assert.ok(!parsed.ok && /not a readable Attention Profiler sweep/u.test(parsed.error));
  });
});
