import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { checkOutputFiles, writeFileAtomic, writeOutputs } from '../src/cli/outputs';
import { storedReportSchema } from '../src/model/report';

const BIN = path.resolve(__dirname, '..', 'bin', 'attention-profiler.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, ...options });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-out-'));
}

/** stderr without the lines Dawn prints when it looks for a GPU. */
function stderrLines(stderr: string): string[] {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l.length > 0 && !/^Warning: Couldn't load Vulkan|^\s+at operator\(\)/u.test(l));
}

/** A user error: exit code 2 and one line on stderr naming the problem, no stack trace. */
function assertUserError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^attention-profiler: /u);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /internal error/u);
}

/** A quick run: two variants on cpu, a few tokens. */
const QUICK = [
  'profile',
  '--text',
  'one two three four five six',
  '--tokenizer',
  'whitespace',
  '--variants',
  'full,sliding',
  '--backend',
  'cpu',
  '--d',
  '8',
  '--time-budget-ms',
  '0',
];

/**
 * How to run the CLI as a user who cannot write into a folder with mode 0555. Root writes
 * anywhere, so as root the CLI runs as nobody (uid 65534); undefined when that cannot run it.
 */
function unprivileged(): SpawnSyncOptions | undefined {
  if (process.getuid?.() !== 0) return {};
  const options = { uid: 65534, gid: 65534 };
  return cli(['--version'], options).code === 0 ? options : undefined;
}

/** A folder the unprivileged user can enter and read but not write, and one next to it that it can write. */
function lockedFolder(): { locked: string; open: string } {
  const root = tempDir();
  fs.chmodSync(root, 0o755);
  const locked = path.join(root, 'locked');
  const open = path.join(root, 'open');
  fs.mkdirSync(locked);
  fs.mkdirSync(open);
  fs.chmodSync(locked, 0o555);
  fs.chmodSync(open, 0o777);
  return { locked, open };
}

describe('output files are checked before the run', () => {
  it('refuses --csv in a folder it cannot write, naming the flag, the path and why, and runs nothing', (t: TestContext) => {
    const as = unprivileged();
    if (!as) return t.skip('cannot run the CLI as an unprivileged user here');
    const { locked, open } = lockedFolder();
    const json = path.join(open, 'r.json');
    const csv = path.join(locked, 'r.csv');
    const r = cli([...QUICK, '--json', json, '--csv', csv], as);
    assertUserError(r, new RegExp(`--csv ${csv}: cannot write in the folder ${locked} \\(permission denied\\)`, 'u'));
    assert.equal(r.stdout, '', 'no table: nothing ran');
    assert.deepEqual(fs.readdirSync(open), [], 'no other output was written');
    assert.deepEqual(fs.readdirSync(locked), []);
  });

  it('refuses --json naming a folder', () => {
    const dir = tempDir();
    assertUserError(cli([...QUICK, '--json', dir]), new RegExp(`--json ${dir}: it is a folder; give a file name`, 'u'));
  });

  it('refuses a missing folder, a path through a file, a read-only file and two flags on one file', () => {
    const dir = tempDir();
    assertUserError(cli([...QUICK, '--html', path.join(dir, 'nope', 'r.html')]), new RegExp(`--html .*: the folder ${path.join(dir, 'nope')} does not exist`, 'u'));
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'x');
    assertUserError(cli([...QUICK, '--json', path.join(file, 'r.json')]), new RegExp(`--json .*: ${file} is not a folder`, 'u'));
    const readOnly = path.join(dir, 'kept.json');
    fs.writeFileSync(readOnly, 'keep me');
    fs.chmodSync(readOnly, 0o444);
    assertUserError(cli([...QUICK, '--json', readOnly]), new RegExp(`--json ${readOnly}: the file is read-only`, 'u'));
    assert.equal(fs.readFileSync(readOnly, 'utf8'), 'keep me');
    assertUserError(cli([...QUICK, '--json', path.join(dir, 'a.out'), '--csv', path.join(dir, 'a.out')]), /--csv .*a\.out: --json writes the same file/u);
    assertUserError(cli([...QUICK, '--dump-outputs', file]), new RegExp(`--dump-outputs ${file}: it is a file, not a folder`, 'u'));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['kept.json', 'plain.txt'], 'no temporary file left behind');
  });
});

describe('output files are written atomically', () => {
  it('a file that cannot be written after the run leaves the previous file whole, the table printed, one line on stderr and exit 1', (t: TestContext) => {
    if (spawnSync('bash', ['-c', 'true']).status !== 0) return t.skip('needs bash (ulimit -f)');
    const dir = tempDir();
    const json = path.join(dir, 'r.json');
    const csv = path.join(dir, 'r.csv');
    const html = path.join(dir, 'r.html');
    const npy = path.join(dir, 'npy');
    fs.writeFileSync(html, 'the previous report');
    // A file size limit of 64 KiB (as a full disk would): the JSON and the CSV fit, the HTML report
    // (about 1 MB, it inlines the viewer) and the 300 x 64 float32 outputs (77 kB) do not.
    const ids = Array.from({ length: 300 }, (_, i) => i).join(',');
    const args = ['profile', '--ids', ids, '--variants', 'full,sliding', '--backend', 'cpu', '--d', '64', '--time-budget-ms', '0'];
    const command = ['ulimit -f 64', `exec "${process.execPath}" "${BIN}" "$@"`].join(' && ');
    const out = spawnSync('bash', ['-c', command, 'bash', ...args, '--json', json, '--csv', csv, '--html', html, '--dump-outputs', npy], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(out.status, 1, `exit code 1 (stderr: ${out.stderr})`);
    assert.match(out.stdout, /^full\s+cpu\s+\d/mu, 'the table is printed');
    assert.match(out.stdout, /^sliding\s+cpu\s+\d/mu);
    const lines = stderrLines(out.stderr);
    assert.equal(lines.length, 2, `one line per output not written: ${out.stderr}`);
    assert.match(lines[0], new RegExp(`^attention-profiler: --dump-outputs ${path.join(npy, 'full.npy')}: not written, nor 1 more file there: .*file size limit`, 'u'));
    assert.match(lines[1], new RegExp(`^attention-profiler: --html ${html}: not written: .*file size limit of this process; nothing partial was left there$`, 'u'));
    assert.doesNotMatch(out.stderr, /internal error/u);
    assert.equal(fs.readFileSync(html, 'utf8'), 'the previous report', 'the previous file is whole');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['npy', 'r.csv', 'r.html', 'r.json'], 'no temporary file left behind');
    assert.deepEqual(fs.readdirSync(npy), []);
    assert.equal(storedReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8'))).variants.length, 2, 'the outputs that fit are written');
    assert.equal(fs.readFileSync(csv, 'utf8').trim().split('\r\n').length, 3);
  });

  it('writeFileAtomic: a target that became a folder after the check is left alone, with no temporary file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'r.json');
    checkOutputFiles([{ flag: '--json', file: target }]);
    fs.mkdirSync(target);
    assert.throws(() => writeFileAtomic(target, '{}'), { code: 'EISDIR' });
    assert.ok(fs.statSync(target).isDirectory());
    assert.deepEqual(fs.readdirSync(dir), ['r.json']);
  });

  it('writeOutputs: one output that fails does not stop the others, and says why', () => {
    const dir = tempDir();
    const good = path.join(dir, 'r.csv');
    const bad = path.join(dir, 'r.json');
    fs.mkdirSync(bad);
    const failures = writeOutputs([
      { flag: '--json', file: bad, data: () => '{}' },
      { flag: '--csv', file: good, data: () => 'a,b\r\n' },
    ]);
    assert.deepEqual(failures, [{ flag: '--json', file: bad, reason: 'it is a folder' }]);
    assert.equal(fs.readFileSync(good, 'utf8'), 'a,b\r\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['r.csv', 'r.json']);
  });

  it('writes through a symbolic link, keeping the link', () => {
    const dir = tempDir();
    const real = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    fs.writeFileSync(real, 'old');
    fs.symlinkSync(real, link);
    checkOutputFiles([{ flag: '--json', file: link }]);
    writeFileAtomic(link, 'new');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(real, 'utf8'), 'new');
    assert.throws(
      () =>
        checkOutputFiles([
          { flag: '--json', file: link },
          { flag: '--csv', file: real },
        ]),
      /--csv .*real\.json: --json writes the same file/u,
    );
  });

  it('replaces an existing file whole and keeps its permissions', () => {
    const dir = tempDir();
    const file = path.join(dir, 'r.csv');
    fs.writeFileSync(file, 'old, and longer than the new text');
    fs.chmodSync(file, 0o640);
    writeFileAtomic(file, 'new');
    assert.equal(fs.readFileSync(file, 'utf8'), 'new');
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  });
});
