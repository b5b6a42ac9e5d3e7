import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { dump } from 'npyjs';
import { parseNpyMatrix } from '../src/engine/npy';
import { VARIANTS } from '../src/engine/variants/registry';
import { formatBytes } from '../src/model/format';
import { DEFAULTS, LIMITS, MIB } from '../src/model/limits';
import { storedReportSchema } from '../src/model/report';
import { sweepReportSchema } from '../src/model/sweep';
import { prepare, prepared, readGolden } from './helpers';

const BIN = path.resolve(__dirname, '..', 'bin', 'attention-profiler.js');
const DEFAULT_MAX_TOKENS = DEFAULTS.maxTokens;

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-test-'));
}

/** A user error: exit code 2 and one line on stderr naming the problem, no stack trace. */
function assertUserError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !/^Warning: Couldn't load Vulkan|^\s+at operator\(\)/u.test(l));
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^attention-profiler: /u);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/u, 'no stack trace');
}

function writeNpy(dir: string, name: string, data: Float32Array | Float64Array, shape: number[]): void {
  fs.writeFileSync(path.join(dir, name), Buffer.from(dump(data, shape, { dtype: data instanceof Float64Array ? 'f8' : 'f4' })));
}

/** A float32 .npy file as numpy.save writes it, whose header claims `shape` over `dataBytes` bytes of zeros. */
function npyHeaderOnly(shape: string, dataBytes: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble.writeUInt16LE(headerLength, 8);
  return Buffer.concat([preamble, Buffer.from(`${dict.padEnd(headerLength - 1, ' ')}\n`, 'latin1'), Buffer.alloc(dataBytes)]);
}

function qkvFolder(n: number, d: number, options: { kShape?: number[]; nanAt?: number; skipV?: boolean; float64?: boolean } = {}): string {
  const dir = tempDir();
  const make = (seed: number) => {
    const a = options.float64 ? new Float64Array(n * d) : new Float32Array(n * d);
    for (let i = 0; i < a.length; i++) a[i] = Math.sin(seed * 131 + i * 0.37);
    return a;
  };
  const q = make(1);
  if (options.nanAt !== undefined) q[options.nanAt] = NaN;
  writeNpy(dir, 'q.npy', q, [n, d]);
  const kShape = options.kShape ?? [n, d];
  writeNpy(dir, 'k.npy', options.float64 ? new Float64Array(kShape[0] * kShape[1]).fill(0.5) : make(2).subarray(0, kShape[0] * kShape[1]), kShape);
  if (!options.skipV) writeNpy(dir, 'v.npy', make(3), [n, d]);
  return dir;
}

describe('attention-profiler variants', () => {
  it('lists the 14 variants with their parameters, defaults and ranges', () => {
    const r = cli('variants', '--json');
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as Array<{ id: string; params: Array<{ name: string; default: string; range: string }> }>;
    assert.deepEqual(
      list.map((v) => v.id),
      VARIANTS.map((v) => v.id),
    );
    const strided = list.find((v) => v.id === 'strided')!;
    assert.deepEqual(
      strided.params.find((p) => p.name === 'stride'),
      { ...strided.params.find((p) => p.name === 'stride')!, default: 'round(sqrt N)', range: '1 <= stride <= N' },
    );
  });
});

/** What `attention-profiler mask` prints. */
interface MaskOutput {
  variant: string;
  n: number;
  causal: boolean;
  params: Record<string, string | number | boolean>;
  type: string;
  shape: [number, number];
  count: number;
  rows: string[];
}

function maskOutput(stdout: string): MaskOutput {
  return JSON.parse(stdout) as MaskOutput;
}

describe('attention-profiler mask', () => {
  const golden = readGolden<{ entries: Array<{ name: string; matrix: number[][]; count: number }> }>('masks_n16.json');

  it('prints the sliding-window mask of the reference code (Longformer w1 = 2, bidirectional)', () => {
    const r = cli('mask', '--variant', 'sliding', '--n', '16', '--bidirectional', '--param', 'window=2');
    assert.equal(r.code, 0, r.stderr);
    const out = maskOutput(r.stdout);
    assert.deepEqual(Object.keys(out), ['variant', 'n', 'causal', 'params', 'type', 'shape', 'count', 'rows']);
    const expected = golden.entries.find((e) => e.name === 'longformer_sliding_w2')!;
    assert.deepEqual(
      out.rows,
      expected.matrix.map((row) => row.join('')),
    );
    assert.equal(out.count, expected.count);
    assert.deepEqual(out.shape, [16, 16]);
    assert.equal(out.type, 'mask');
    assert.equal(out.causal, false);
  });

  it('prints memory-compressed attention as a slot mask over 1 + N/k slots', () => {
    const r = cli('mask', '--variant', 'compressed', '--n', '16', '--param', 'kernel=3');
    assert.equal(r.code, 0, r.stderr);
    const out = maskOutput(r.stdout);
    const expected = golden.entries.find((e) => e.name === 'mca_causal_k3_slots')!;
    assert.equal(out.type, 'slot_mask');
    assert.deepEqual(out.shape, [16, 6]);
    assert.deepEqual(
      out.rows,
      expected.matrix.map((row) => row.join('')),
    );
  });

  it('prints the effective support of Transformer-XL, with its parameters filled in', () => {
    const r = cli('mask', '--variant', 'transformer-xl', '--n', '16', '--param', 'segment=4', '--param', 'memory=4');
    const out = maskOutput(r.stdout);
    assert.equal(out.type, 'effective_support');
    assert.deepEqual(out.params, { segment: 4, memory: 4, sameLength: false, relpos: 'on' });
    assert.deepEqual(
      out.rows,
      golden.entries.find((e) => e.name === 'transformer_xl_L4_mem4')!.matrix.map((row) => row.join('')),
    );
  });

  it('labels an extension (BlockBERT forced causal) on stderr', () => {
    const r = cli('mask', '--variant', 'blockwise', '--n', '8');
    assert.equal(r.code, 0);
    assert.match(r.stderr, /bidirectional only/u);
  });

  it('refuses bad requests with one line and exit code 2', () => {
    assertUserError(cli('mask', '--variant', 'nope', '--n', '8'), /unknown variant "nope"/u);
    assertUserError(cli('mask', '--variant', 'sliding', '--n', '8', '--param', 'width=3'), /unknown parameter "width" for variant sliding/u);
    assertUserError(cli('mask', '--variant', 'sliding', '--n', '8', '--param', 'window=0'), /sliding.window = 0 is out of range: 1 <= window <= 65536/u);
    assertUserError(cli('mask', '--variant', 'strided', '--n', '8', '--param', 'stride=9'), /strided.stride = 9 is out of range: 1 <= stride <= N/u);
    assertUserError(cli('mask', '--variant', 'rwkv', '--n', '8', '--bidirectional'), /rwkv is causal only/u);
    assertUserError(cli('mask', '--variant', 'full', '--n', '100000'), /--n 100000 is out of range/u);
    assertUserError(cli('mask', '--variant', 'full', '--n', 'x'), /--n "x" is not an integer/u);
    assertUserError(cli('mask', '--variant', 'full', '--n', '4', '--frobnicate'), /Unknown option '--frobnicate'/u);
  });
});

describe('attention-profiler profile', () => {
  it('profiles text on cpu: a row per variant with numbers, and a report that follows the schema', () => {
    const dir = tempDir();
    const json = path.join(dir, 'report.json');
    const r = cli(
      'profile',
      '--text',
      'The quick brown fox jumps over the lazy dog. '.repeat(6),
      '--variants',
      'full,full-streaming,sliding,rwkv',
      '--backend',
      'cpu',
      '--json',
      json,
      '--time-budget-ms',
      '0',
    );
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['full', 'full-streaming', 'sliding', 'rwkv']) assert.match(r.stdout, new RegExp(`^${id}\\s+cpu\\s+\\d`, 'mu'));
    assert.doesNotMatch(r.stdout, /NaN/u);
    const report = storedReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.equal(report.backend.selected, 'cpu');
    assert.equal(report.input.tokenizer, 'o200k_base');
    assert.ok(report.input.n > 50);
    for (const v of report.variants) {
      assert.equal(v.status, 'ok', `${v.id}: ${v.reason}`);
      assert.ok(v.time!.runs >= 5 && v.time!.medianMs > 0 && v.time!.minMs <= v.time!.medianMs && v.time!.medianMs <= v.time!.maxMs);
      assert.equal(v.time!.samplesMs.length, v.time!.runs);
      assert.equal(v.memory.measuredBytes, v.memory.predictedBytes);
      assert.ok(v.check!.passed && v.check!.relError <= 1e-4);
    }
    const streaming = report.variants.find((v) => v.id === 'full-streaming')!;
    assert.ok(streaming.errorVsFull!.relFrobenius < 1e-5, 'full-streaming equals full');
    assert.ok(report.variants.find((v) => v.id === 'sliding')!.errorVsFull!.relFrobenius > 1e-3, 'a window differs from full');
  });

  it('--verbose shows where the wall time went; the table shows GFLOP/s and the fraction of the ceiling', () => {
    const cache = tempDir();
    const run = (...extra: string[]) => {
      const r = spawnSync(
        process.execPath,
        [BIN, 'profile', '--ids', '1,2,3,4,5,6,7,8,9,10,11,12', '--variants', 'full,sliding', '--backend', 'cpu', '--time-budget-ms', '0', ...extra],
        {
          encoding: 'utf8',
          timeout: 180_000,
          env: { ...process.env, ATTENTION_PROFILER_CACHE_DIR: cache },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const first = run('--verbose');
    assert.match(first, /GFLOP\/s \(% ceiling\)/u);
    assert.match(first, /^full\s+cpu\s.*\s\d+\.\d+ \(\d+%\)\s/mu);
    assert.match(first, /^ceiling: [\d.]+ GFLOP\/s on cpu \(dense Q K\^T.*; measured in this run\)$/mu);
    assert.match(first, /^wall time: [\d.]+ ms$/mu);
    for (const phase of ['probes', 'calibration', 'compile', 'gate', 'references', 'timed']) assert.match(first, new RegExp(`^${phase}\\s+[\\d.]+\\s+\\d+%`, 'mu'), phase);
    assert.match(first, /^sliding\s+[\d.]+\s+[\d.]+/mu);
    const second = run();
    assert.match(second, /^ceiling: .*measured \d{4}-\d\d-\d\d, cached; --recalibrate measures it again\)$/mu);
    assert.doesNotMatch(second, /wall time/u);
    assert.match(run('--recalibrate'), /; measured in this run\)$/mu);
  });

  it('writes every output as DIR/<id>.npy, float32 [N, d], equal to the reference', () => {
    const dir = tempDir();
    const r = cli('profile', '--ids', '5, 9 13,2,7,7,1,0,3', '--variants', 'full,linear', '--backend', 'cpu', '--d', '8', '--dump-outputs', dir, '--time-budget-ms', '0');
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['full', 'linear'] as const) {
      const m = parseNpyMatrix(fs.readFileSync(path.join(dir, `${id}.npy`)), id);
      assert.deepEqual([m.rows, m.cols], [9, 8]);
      assert.ok(m.data.every(Number.isFinite));
    }
    assert.ok(!fs.existsSync(path.join(dir, 'sliding.npy')));
  });

  it('profiles Q, K, V dumped from a model (.npy float32 and float64)', () => {
    for (const float64 of [false, true]) {
      const dir = qkvFolder(12, 4, { float64 });
      const json = path.join(dir, 'r.json');
      const r = cli('profile', '--qkv', dir, '--variants', 'full,sliding', '--backend', 'cpu', '--json', json, '--time-budget-ms', '0');
      assert.equal(r.code, 0, r.stderr);
      const report = storedReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
      assert.deepEqual([report.input.kind, report.input.qkv, report.input.n, report.input.d], ['qkv', 'npy', 12, 4]);
    }
  });

  it('skips a variant over the memory budget with the memory it would need, and runs the others', () => {
    const r = cli(
      'profile',
      '--ids',
      Array.from({ length: 600 }, (_, i) => i).join(','),
      '--variants',
      'full,sliding',
      '--backend',
      'cpu',
      '--memory-budget-mib',
      '1',
      '--time-budget-ms',
      '0',
    );
    assert.equal(r.code, 0, r.stderr);
    // What full would need is its cost model's figure (a test of the cost model holds it = measured).
    const needed = formatBytes(prepared('full', 600, DEFAULTS.d, DEFAULTS.causal).cost().predictedBytes);
    assert.ok(r.stdout.includes(`full: skipped: would need ${needed} of intermediates and weights at N = 600; the memory budget is 1.0 MiB`), r.stdout);
    assert.match(r.stdout, /^sliding\s+cpu\s+\d/mu);
  });

  it('reports a causal-only variant in a bidirectional run as skipped with the reason', () => {
    const r = cli('profile', '--text', 'a b c d e f', '--tokenizer', 'whitespace', '--variants', 'rwkv,full', '--backend', 'cpu', '--bidirectional', '--time-budget-ms', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rwkv: skipped: rwkv is causal only/u);
  });

  it('refuses bad input with one line naming the problem and exit code 2', () => {
    assertUserError(cli('profile', '--text', 'hello', '--variants', 'full,bogus'), /unknown variant "bogus"/u);
    assertUserError(cli('profile', '--text', 'hello', '--param', 'sliding.width=3', '--variants', 'sliding'), /unknown parameter "width" for variant sliding/u);
    assertUserError(cli('profile', '--text', 'hello', '--param', 'sliding.window=-1', '--variants', 'sliding'), /sliding.window = -1 is out of range/u);
    assertUserError(cli('profile', '--text', 'hello', '--param', 'sliding=3'), /must name the variant: ID.NAME=VALUE/u);
    assertUserError(cli('profile', '--text', '   '), /the input text is empty/u);
    assertUserError(cli('profile', '--ids', '1, 2, x3'), /bad token id "x3" at position 2/u);
    assertUserError(cli('profile', '--ids', ' '), /the id list is empty/u);
    assertUserError(cli('profile', '--ids', '1,-2'), /bad token id "-2"/u);
    assertUserError(cli('profile'), /profile needs an input/u);
    assertUserError(cli('profile', '--text', 'a', '--ids', '1'), /give one input, not --text and --ids/u);
    assertUserError(cli('profile', '--file', '/nonexistent/file.txt'), /--file \/nonexistent\/file.txt: no such file/u);
    // Counting stops one token past the limit, so the message says "more than".
    assertUserError(
      cli('profile', '--text', 'one two three four', '--max-tokens', '3'),
      /the input has more than 3 tokens, the limit \(raise it with --max-tokens, up to 65536\)/u,
    );
    assertUserError(cli('profile', '--text', 'hi', '--d', '0'), /--d 0 is out of range/u);
    assertUserError(cli('profile', '--text', 'hi', '--backend', 'quantum'), /unknown backend "quantum"/u);
    assertUserError(cli('profile', '--text', 'hi', '--repeats', '2'), /--repeats 2 is out of range: 5 <= repeats/u);
  });

  it('refuses missing, mis-shaped and non-finite arrays', () => {
    assertUserError(cli('profile', '--qkv', '/nonexistent-dir'), /--qkv \/nonexistent-dir: no such folder/u);
    assertUserError(cli('profile', '--qkv', qkvFolder(6, 4, { skipV: true })), /v\.npy: missing/u);
    assertUserError(cli('profile', '--qkv', qkvFolder(6, 4, { kShape: [5, 4] })), /k\.npy: shape \(5, 4\) differs from q\.npy \(6, 4\)/u);
    assertUserError(cli('profile', '--qkv', qkvFolder(6, 4, { nanAt: 9 })), /q\.npy: value at \[2, 1\] is NaN; every value must be finite/u);
    const dir = qkvFolder(6, 4);
    fs.writeFileSync(path.join(dir, 'v.npy'), 'not numpy');
    assertUserError(cli('profile', '--qkv', dir), /v\.npy: not a readable \.npy file/u);
    const oneD = qkvFolder(6, 4);
    writeNpy(oneD, 'q.npy', new Float32Array(24), [24]);
    assertUserError(cli('profile', '--qkv', oneD), /q\.npy: shape \(24\) is not \[N, d\]/u);
  });

  it('refuses a forced backend that cannot run here, naming why', () => {
    const r = cli('profile', '--text', 'hello there', '--backend', 'webgpu', '--variants', 'full');
    if (r.code === 0) {
      // A machine with a WebGPU adapter runs it, and says so.
      assert.match(r.stdout, /^backend: webgpu \(WebGPU: /mu);
      return;
    }
    assertUserError(r, /backend webgpu cannot run here: .*adapter|backend webgpu cannot run here: .*module/u);
  });
});

describe('cost model and masks agree through the CLI', () => {
  it('mask count equals the nnz of the cost model for every mask variant at N = 33', () => {
    for (const v of VARIANTS.filter((x) => x.maskType === 'mask')) {
      const out = maskOutput(cli('mask', '--variant', v.id, '--n', '33').stdout);
      assert.equal(out.count, prepare(v, 33, 8, true).cost().nnz, v.id);
    }
  });
});

describe('attention-profiler sweep', () => {
  it('skips full at N = 65536 with the memory it would need, and runs the other variants', () => {
    const dir = tempDir();
    const json = path.join(dir, 'sweep.json');
    const csv = path.join(dir, 'sweep.csv');
    const r = cli('sweep', '--variants', 'full,sliding', '--n', '64,65536', '--backend', 'cpu', '--d', '4', '--json', json, '--csv', csv, '--point-budget-ms', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^full\s+65536\s+-\s+-\s+-\s+32\.0 GiB\s+-\s+skipped: would need 32\.0 GiB of intermediates and weights at N = 65536; the memory budget is 2\.0 GiB$/mu);
    assert.match(r.stdout, /^sliding\s+65536\s+[\d.]+\s/mu);
    const report = sweepReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.deepEqual(
      report.variants.map((v) => v.points.map((p) => p.status)),
      [
        ['ok', 'skipped'],
        ['ok', 'ok'],
      ],
    );
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'variant,n,status,median_ms,min_ms,max_ms,runs,reduced_runs,first_call_ms,predicted_bytes,measured_bytes,weight_bytes,predicted_flops,reason');
    assert.equal(lines.length, 5, 'a row per variant and length');
    assert.ok(lines[2].startsWith(`full,65536,skipped,,,,,,,${prepared('full', 65536, 4, DEFAULTS.causal).cost().predictedBytes},,0,`), lines[2]);
  });

  it('refuses bad lengths and parameters with one line', () => {
    assertUserError(cli('sweep', '--n', '256,abc'), /length "abc" is not a positive integer/u);
    assertUserError(cli('sweep', '--n', '100000'), /length 100000 is out of range: 1 <= N <= 65536/u);
    assertUserError(cli('sweep', '--variants', 'sliding', '--n', '64', '--param', 'sliding.window=0'), /sliding.window = 0 is out of range/u);
  });
});

describe('profile exports', () => {
  it('writes a CSV with one row per variant and a self-contained HTML report', () => {
    const dir = tempDir();
    const r = cli(
      'profile',
      '--text',
      'one two three four five',
      '--tokenizer',
      'whitespace',
      '--variants',
      'full,rwkv',
      '--backend',
      'cpu',
      '--d',
      '8',
      '--csv',
      path.join(dir, 'r.csv'),
      '--html',
      path.join(dir, 'r.html'),
      '--time-budget-ms',
      '0',
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = fs.readFileSync(path.join(dir, 'r.csv'), 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1], /^full,5,ok,cpu,[\d.]+,/u);
    const html = fs.readFileSync(path.join(dir, 'r.html'), 'utf8');
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]{43}='; img-src data: blob:">/u,
    );
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/u, 'nothing is loaded from elsewhere');
  });
});

describe('every input is held to the limits, in the words of the CLI', () => {
  it('refuses a 20 MB text without spaces (emoji, CJK) while tokenizing, at the token limit', () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.txt');
    // One run with no space: the tokenizer's slowest case (its merge is quadratic in a run's length).
    fs.writeFileSync(file, '😀🚀注意力机制是变换器🎉🔥'.repeat(500_000));
    assert.ok(fs.statSync(file).size >= 19_000_000);
    assertUserError(cli('profile', '--file', file), new RegExp(`the input has more than ${DEFAULT_MAX_TOKENS} tokens, the limit \\(raise it with --max-tokens`, 'u'));
    assertUserError(
      cli('profile', '--file', file, '--tokenizer', 'cl100k_base', '--max-tokens', String(LIMITS.maxTokens)),
      /more than 65536 tokens, the limit \(the most this tool accepts\)/u,
    );
  });

  it('stops reading an id list at the limit', () => {
    // The bad id after the limit is never read: the list is refused for its length.
    const ids = `${Array.from({ length: 101 }, (_, i) => i).join(',')},x`;
    assertUserError(cli('profile', '--ids', ids, '--max-tokens', '100'), /the input has more than 100 tokens/u);
  });

  it('refuses Q, K, V whose d or N breaks the limits, before reading their data', () => {
    assertUserError(cli('profile', '--qkv', qkvFolder(4, LIMITS.maxD + 1)), new RegExp(`q\\.npy: d = ${LIMITS.maxD + 1} columns is out of range: 1 <= d <= ${LIMITS.maxD}`, 'u'));
    assertUserError(cli('profile', '--qkv', qkvFolder(20, 4), '--max-tokens', '10'), /q\.npy: N = 20 rows is more than the limit of 10 tokens \(raise it with --max-tokens/u);
    // A header that claims 100000 rows over 16 bytes of data: refused on the header's word.
    const dir = qkvFolder(2, 2);
    fs.writeFileSync(path.join(dir, 'q.npy'), npyHeaderOnly('(100000, 2)', 16));
    assertUserError(cli('profile', '--qkv', dir), /q\.npy: N = 100000 rows is more than the limit of 16384 tokens/u);
  });

  it('refuses --d that disagrees with the arrays, even when it is the default', () => {
    const dir = qkvFolder(6, 16);
    assertUserError(cli('profile', '--qkv', dir, '--d', '64'), /--d 64 does not match the arrays in .*, which have d = 16/u);
    assertUserError(cli('profile', '--qkv', dir, '--d', '8'), /--d 8 does not match the arrays/u);
  });

  it('says a folder named q.npy is a folder, and names an input that is not what it should be', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'q.npy'));
    assertUserError(cli('profile', '--qkv', dir), /q\.npy: it is a folder, not a \.npy file/u);
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'x');
    assertUserError(cli('profile', '--qkv', file), /--qkv .*notes\.txt: it is a file; give the folder that holds q\.npy/u);
    assertUserError(cli('profile', '--file', dir), /--file .*: it is a folder; give a text file/u);
  });

  it('checks parameter names against the parameters of the variant only, and takes plain decimal numbers only', () => {
    assertUserError(cli('profile', '--text', 'hi', '--variants', 'sliding', '--param', 'sliding.__proto__=5'), /unknown parameter "__proto__" for variant sliding/u);
    assertUserError(cli('profile', '--text', 'hi', '--variants', 'sliding', '--param', 'sliding.constructor=5'), /unknown parameter "constructor" for variant sliding/u);
    assertUserError(cli('mask', '--variant', 'sliding', '--n', '8', '--param', 'window=0x10'), /sliding.window = "0x10" is not an integer/u);
    assertUserError(cli('mask', '--variant', 'sliding', '--n', '8', '--param', 'window=1e3'), /sliding.window = "1e3" is not an integer/u);
    assertUserError(cli('profile', '--text', 'hi', '--time-budget-ms', '1e3'), /--time-budget-ms "1e3" is not a number/u);
    assertUserError(cli('profile', '--text', 'hi', '--seed', '0x10'), /--seed "0x10" is not an integer/u);
  });

  it('says a negative value must be positive, naming the flag', () => {
    assertUserError(cli('mask', '--variant', 'full', '--n', '-5'), /--n -5: the value must be positive \(1 <= n <= 4096\)/u);
    assertUserError(cli('sweep', '--variants', 'full', '--n', '-5'), /--n -5: length "-5" is not a positive integer/u);
    assertUserError(cli('profile', '--text', 'hi', '--seed', '-1'), /--seed -1: the value must not be negative \(0 <= seed/u);
    assertUserError(cli('profile', '--text', 'hi', '--d', '-3'), /--d -3: the value must be positive \(1 <= d <= 512\)/u);
    assertUserError(cli('profile', '--text', 'hi', '--memory-budget-mib', '-1'), /--memory-budget-mib -1: the value must be positive/u);
    assertUserError(cli('profile', '--text', 'hi', '--time-budget-ms', '-0.5'), /--time-budget-ms -0.5: the value must not be negative/u);
  });

  it('refuses a flag given twice instead of keeping the last', () => {
    assertUserError(cli('profile', '--ids', '1,2', '--ids', '3'), /--ids is given twice \("1,2" and "3"\); give it once/u);
    assertUserError(cli('sweep', '--n', '64', '--n', '128'), /--n is given twice/u);
    assertUserError(cli('profile', '--text', 'hi', '--bidirectional', '--bidirectional'), /--bidirectional is given twice/u);
  });

  it('caps --memory-budget-mib at the memory of the machine, saying why', (t) => {
    const machineMiB = Math.floor(os.totalmem() / MIB);
    if (machineMiB + 1 > LIMITS.maxMemoryBudgetMiB) return t.skip('this machine has more memory than the hard limit of the budget');
    assertUserError(
      cli('profile', '--text', 'hi', '--memory-budget-mib', String(machineMiB + 1)),
      new RegExp(`--memory-budget-mib ${machineMiB + 1}: more than this machine's memory \\(${machineMiB} MiB\\)`, 'u'),
    );
  });

  it('under an address-space limit (ulimit -v), holds the memory budget to half of what is left instead of crashing', (t) => {
    if (process.platform !== 'linux') return t.skip('reads /proc/self/limits (Linux)');
    const ids = Array.from({ length: 8192 }, (_, i) => i % 50000).join(',');
    const limited = (...args: string[]) => {
      const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('sh', ['-c', `ulimit -v 1500000 && exec ${quoted}`], { encoding: 'utf8', timeout: 180_000 });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    assertUserError(
      limited('profile', '--ids', ids, '--variants', 'full', '--backend', 'cpu', '--memory-budget-mib', '8000'),
      /--memory-budget-mib 8000: more than this process can use under its address-space limit \(ulimit -v 1500000 kB, \d+ MiB of it left\); the budget can be at most half of what is left, \d+ MiB/u,
    );
    const r = limited('profile', '--ids', ids, '--variants', 'full,sliding', '--backend', 'cpu', '--time-budget-ms', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: the memory budget is \d+ MiB, half the address space left under this process's limit \(ulimit -v\)$/mu);
    assert.match(r.stdout, /full: skipped: would need [\d.]+ MiB of intermediates and weights at N = 8192; the memory budget is \d+\.\d MiB/u);
    assert.match(r.stdout, /^sliding\s+cpu\s+\d.*\sok$/mu);
  });

  it('answers help and version as commands too (npm exec reads --help and --version itself)', () => {
    for (const args of [['help'], ['--help'], ['profile', '--help'], ['sweep', '-h']]) {
      const r = cli(...args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^attention-profiler \d+\.\d+\.\d+: profile 14 attention variants/u);
      assert.match(r.stdout, /npx attention-profiler help/u);
    }
    for (const args of [['version'], ['--version']]) {
      const r = cli(...args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/u);
    }
  });
});
