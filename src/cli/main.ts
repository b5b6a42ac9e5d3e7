import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_CHOICES, isBackendChoice } from '../model/backends';
import type { ReportContent } from '../model/content';
import { EngineError, errorMessage, inputError } from '../model/errors';
import type { HtmlAssets } from '../model/export-html';
import { exportText } from '../model/exports';
import { DEFAULTS, LIMITS, MIB, overMachineMemory } from '../model/limits';
import { parseLengths } from '../model/sweep';
import { isTokenizerName, TOKENIZERS, type TokenizerName } from '../model/tokenizers';
import { isVariantId, VARIANT_IDS } from '../model/variant-ids';
import { TOOL_VERSION } from '../model/version';
import { catalogOf } from '../engine/catalog';
import { cacheFolder } from '../engine/node/ceiling-file';
import { nodePlatform } from '../engine/node/platform';
import { encodeNpyMatrix } from '../engine/npy';
import { installPlatform } from '../engine/platform';
import { profile, type InputSpec, type ProfileRequest } from '../engine/profile';
import { checkTokenLimit, parseIdList } from '../engine/tokens';
import { sweep, type SweepRequest } from '../engine/sweep';
import { VARIANTS, variantById } from '../engine/variants/registry';
import { parseCommandArgs, parseDirection, parseInteger, parseNumber, parsePlainParams, parseScopedParams, parseVariantList } from './cli-parts';
import { checkOutputFiles, describeFsError, describeOutputFailure, prepareOutputFolder, writeFileAtomic, writeOutputs, type OutputFailure, type OutputFile } from './outputs';
import { addressSpaceLeft } from './address-space';
import { loadQkvFolder } from './qkv-files';
import { renderProfile, renderSweep, renderWallTime } from './table';
import { describeForCli, FLAGS } from './wording';

const USAGE = `attention-profiler ${TOOL_VERSION}: profile 14 attention variants on your tokens

usage:
  attention-profiler help | version
  attention-profiler variants [--json]
  attention-profiler mask --variant ID --n N [--causal | --bidirectional] [--param NAME=VALUE ...]
  attention-profiler profile (--text STR | --file PATH | --ids LIST | --qkv DIR) [--variants LIST|all]
      [--backend ${BACKEND_CHOICES.join('|')}] [--d D] [--seed S] [--causal | --bidirectional]
      [--param ID.NAME=VALUE ...] [--repeats R] [--json OUT] [--dump-outputs DIR]
      [--tokenizer ${TOKENIZERS.join('|')}] [--max-tokens N] [--time-budget-ms MS] [--memory-budget-mib MIB] [--maps SIZE]
      [--csv OUT] [--html OUT] [--threads T] [--verbose] [--recalibrate]
  attention-profiler sweep --variants LIST|all --n N1,N2,... [--backend NAME] [--d D] [--seed S]
      [--causal | --bidirectional] [--param ID.NAME=VALUE ...] [--json OUT] [--csv OUT] [--html OUT]
      [--memory-budget-mib MIB] [--point-budget-ms MS] [--threads T]

--verbose: after the table, where the wall time went (probes, calibration, compile, gate and
references, error, maps, warm-ups, timed runs, GC), in total and per variant.
--recalibrate: measure the backend's ceiling again (it is cached per backend and machine in
${cacheFolder()}; the GFLOP/s column's percentage is of that ceiling).

--threads T: webasm kernels on a pool of T worker threads (gpu.js async mode); the default, 1, runs
them on one thread, which gives steadier timings and scaling curves.

Every output (--json, --csv, --html, --dump-outputs) is checked before the run and written atomically.
Where npm reads --help and --version itself (npm exec attention-profiler --help, npx --no ...), write
-- --help, or the commands help and version: npx attention-profiler help.

exit codes: 0 all variants ran and every output was written; 1 a variant failed (see the table) or an
output could not be written after the run (stderr names it); 2 bad input, an output that cannot be
written, or a backend that cannot run (nothing ran)`;

/** The options profile and sweep share. */
const MEASURE_OPTIONS = {
  variants: { type: 'string' },
  backend: { type: 'string' },
  d: { type: 'string' },
  seed: { type: 'string' },
  causal: { type: 'boolean' },
  bidirectional: { type: 'boolean' },
  param: { type: 'string', multiple: true },
  json: { type: 'string' },
  csv: { type: 'string' },
  html: { type: 'string' },
  'memory-budget-mib': { type: 'string' },
  threads: { type: 'string' },
} as const;

type ExportFormat = 'json' | 'csv' | 'html';
const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'html'];

/** --json, --csv, --html as given. */
function exportTargets(values: Partial<Record<ExportFormat, string>>): Array<OutputFile & { format: ExportFormat }> {
  return EXPORT_FORMATS.flatMap((format) => {
    const file = values[format];
    return file === undefined ? [] : [{ flag: `--${format}`, file, format }];
  });
}

/** The files an HTML report inlines, from the CLI's own dist/ folder (next to this bundle). */
function htmlAssets(): HtmlAssets {
  const dir = path.join(__dirname, 'webview');
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`the HTML report needs ${file}; run npm run build`);
    return fs.readFileSync(file, 'utf8');
  };
  return { css: read('main.css'), viewerScript: read('report-viewer.js'), sha256Base64: (text) => createHash('sha256').update(text, 'utf8').digest('base64') };
}

/**
 * Checks --json, --csv and --html before the run (a path that cannot be written is a user error,
 * exit 2) and loads what the HTML report inlines; returns the writer to call after the run.
 */
function prepareExports(values: Partial<Record<ExportFormat, string>>): (content: ReportContent) => OutputFailure[] {
  const targets = exportTargets(values);
  checkOutputFiles(targets);
  const assets = targets.some((t) => t.format === 'html') ? htmlAssets() : undefined;
  return (content) => writeOutputs(targets.map((t) => ({ ...t, data: () => exportText(t.format, content, t.format === 'html' ? assets : undefined) })));
}

/** Tells, one line each, which outputs could not be written after the run. */
function reportOutputFailures(failures: readonly OutputFailure[]): void {
  for (const failure of failures) process.stderr.write(`attention-profiler: ${describeOutputFailure(failure)}\n`);
}

const COMMANDS = ['variants', 'mask', 'profile', 'sweep'];

export async function main(argv: string[]): Promise<number> {
  installPlatform(nodePlatform);
  const [command, ...rest] = argv;
  if (command !== undefined && COMMANDS.includes(command) && rest.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  switch (command) {
    case 'variants':
      return variantsCommand(rest);
    case 'mask':
      return maskCommand(rest);
    case 'profile':
      return profileCommand(rest);
    case 'sweep':
      return sweepCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    default:
      throw inputError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')}, help, version; attention-profiler help for usage)`);
  }
}

function variantsCommand(argv: string[]): number {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  const list = catalogOf(VARIANTS);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const lines = list.map((v) => {
    const params = v.params.map((p) => `${p.name}=${p.default} (${p.range})`).join('; ') || 'no parameters';
    return `${v.id.padEnd(15)} ${v.name} [${v.family}; ${v.directions}]\n${' '.repeat(16)}${v.summary}\n${' '.repeat(16)}${params}`;
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function maskCommand(argv: string[]): number {
  const { values } = parseCommandArgs(argv, {
    variant: { type: 'string' },
    n: { type: 'string' },
    causal: { type: 'boolean' },
    bidirectional: { type: 'boolean' },
    param: { type: 'string', multiple: true },
  });
  if (!values.variant) throw inputError('mask needs --variant ID');
  if (!isVariantId(values.variant)) throw inputError(`unknown variant "${values.variant}" (known: ${VARIANT_IDS.join(', ')})`);
  if (values.n === undefined) throw inputError('mask needs --n N');
  const n = parseInteger('n', values.n, 0, { min: 1, max: LIMITS.maxMaskN });
  const variant = variantById(values.variant);
  const causal = parseDirection(values.causal, values.bidirectional);
  if (variant.directions === 'causal-only' && !causal) throw inputError(`${variant.id} is causal only; drop --bidirectional`);
  const prepared = variant.prepare({ n, d: 1, causal, seed: DEFAULTS.seed }, parsePlainParams(values.param));
  const cols = prepared.maskColumns;
  const rows: string[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    let row = '';
    for (let j = 0; j < cols; j++) {
      const on = prepared.allowed(i, j);
      if (on) count++;
      row += on ? '1' : '0';
    }
    rows.push(row);
  }
  if (prepared.directionNote) process.stderr.write(`note: ${prepared.directionNote}\n`);
  process.stdout.write(`${JSON.stringify({ variant: variant.id, n, causal, params: prepared.params, type: variant.maskType, shape: [n, cols], count, rows })}\n`);
  return 0;
}

async function profileCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...MEASURE_OPTIONS,
    text: { type: 'string' },
    file: { type: 'string' },
    ids: { type: 'string' },
    qkv: { type: 'string' },
    repeats: { type: 'string' },
    'dump-outputs': { type: 'string' },
    tokenizer: { type: 'string' },
    'max-tokens': { type: 'string' },
    'time-budget-ms': { type: 'string' },
    maps: { type: 'string' },
    verbose: { type: 'boolean' },
    recalibrate: { type: 'boolean' },
  });
  const backend = parseBackend(values.backend);
  const tokenizer = values.tokenizer ?? DEFAULTS.tokenizer;
  if (!isTokenizerName(tokenizer)) throw inputError(`unknown tokenizer "${tokenizer}" (${TOKENIZERS.join(', ')})`);
  const maxTokens = parseInteger('maxTokens', values['max-tokens'], DEFAULTS.maxTokens, { min: 1, max: LIMITS.maxTokens });
  const givenD = values.d === undefined ? undefined : parseInteger('d', values.d, DEFAULTS.d, { min: LIMITS.minD, max: LIMITS.maxD });
  const variants = parseVariantList(values.variants);
  const seed = parseInteger('seed', values.seed, DEFAULTS.seed, { min: 0, max: LIMITS.maxSeed });
  const causal = parseDirection(values.causal, values.bidirectional);
  const params = parseScopedParams(values.param);
  const repeats = parseInteger('repeats', values.repeats, DEFAULTS.repeats, { min: LIMITS.minRepeats, max: LIMITS.maxRepeats });
  const timeBudgetMs = parseNumber('timeBudgetMs', values['time-budget-ms'], DEFAULTS.timeBudgetMs, { min: 0, max: LIMITS.maxBudgetMs });
  const memoryBudgetBytes = parseMemoryBudget(values['memory-budget-mib']);
  const mapSize = parseInteger('mapSize', values.maps, DEFAULTS.mapSize, { min: 0, max: LIMITS.maxMapSize });
  const threads = parseThreads(values.threads);
  // Outputs first (cheap, no side effects), then the input (reads files, tokenizes up to the limit),
  // then the --dump-outputs folder, the only check that creates something.
  const writeExports = prepareExports(values);
  const input = readInput(values, { givenD, tokenizer, maxTokens });
  const dumpDir = values['dump-outputs'];
  if (dumpDir !== undefined) prepareOutputFolder(dumpDir, '--dump-outputs', variants.map(dumpName));
  const request: ProfileRequest = {
    input,
    variants,
    backend,
    tokenizer,
    d: input.kind === 'qkv' ? input.qkv.d : (givenD ?? DEFAULTS.d),
    seed,
    causal,
    params,
    repeats,
    warmups: DEFAULTS.warmups,
    timeBudgetMs,
    memoryBudgetBytes,
    maxTokens,
    mapSize,
    checkRowLimit: DEFAULTS.checkRowLimit,
    gateTolerance: DEFAULTS.gateTolerance,
    threads,
    recalibrate: values.recalibrate === true,
  };

  const dumpFailures: Array<{ name: string; reason: string }> = [];
  const report = await profile(request, {
    onProgress: (e) => {
      if (e.kind === 'variant' && e.phase === 'compiling' && process.stderr.isTTY) process.stderr.write(`\r${e.index + 1}/${e.total} ${e.id}...`.padEnd(40));
    },
    onOutput:
      dumpDir === undefined
        ? undefined
        : (id, output, n, dd) => {
            try {
              writeFileAtomic(path.join(dumpDir, dumpName(id)), encodeNpyMatrix(output, n, dd));
            } catch (err) {
              dumpFailures.push({ name: dumpName(id), reason: describeFsError(err) });
            }
          },
  });
  if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(41) + '\r');
  process.stdout.write(`${renderProfile(report)}\n`);
  if (values.verbose) process.stdout.write(`\n${renderWallTime(report)}\n`);
  const failures = writeExports({ kind: 'run', report });
  if (dumpDir !== undefined && dumpFailures.length > 0) {
    const [first] = dumpFailures;
    failures.unshift({ flag: '--dump-outputs', file: path.join(dumpDir, first.name), reason: first.reason, more: dumpFailures.length - 1 });
  }
  reportOutputFailures(failures);
  return report.variants.some((v) => v.status === 'failed') || failures.length > 0 ? 1 : 0;
}

/** The file --dump-outputs writes for a variant. */
function dumpName(id: string): string {
  return `${id}.npy`;
}

async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...MEASURE_OPTIONS, n: { type: 'string' }, 'point-budget-ms': { type: 'string' } });
  const request: SweepRequest = {
    variants: parseVariantList(values.variants),
    lengths: values.n === undefined ? [...DEFAULTS.sweepLengths] : parseSweepLengths(values.n),
    backend: parseBackend(values.backend),
    tokenizer: DEFAULTS.tokenizer,
    d: parseInteger('d', values.d, DEFAULTS.d, { min: LIMITS.minD, max: LIMITS.maxD }),
    seed: parseInteger('seed', values.seed, DEFAULTS.seed, { min: 0, max: LIMITS.maxSeed }),
    causal: parseDirection(values.causal, values.bidirectional),
    params: parseScopedParams(values.param),
    memoryBudgetBytes: parseMemoryBudget(values['memory-budget-mib']),
    pointBudgetMs: parseNumber('pointBudgetMs', values['point-budget-ms'], DEFAULTS.pointBudgetMs, { min: 0, max: LIMITS.maxBudgetMs }),
    gateTolerance: DEFAULTS.gateTolerance,
    threads: parseThreads(values.threads),
  };
  const writeExports = prepareExports(values);
  const report = await sweep(request, {
    onProgress: (e) => {
      if (e.kind === 'point' && e.phase === 'compiling' && process.stderr.isTTY) process.stderr.write(`\r${e.point + 1}/${e.total} ${e.id} N=${e.n}...`.padEnd(50));
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(51) + '\r');
  process.stdout.write(`${renderSweep(report)}\n`);
  const failures = writeExports({ kind: 'sweep', sweep: report });
  reportOutputFailures(failures);
  return report.variants.some((v) => v.points.some((p) => p.status === 'failed')) || failures.length > 0 ? 1 : 0;
}

/** --n of a sweep, its errors naming the flag. */
function parseSweepLengths(value: string): number[] {
  try {
    return parseLengths(value);
  } catch (err) {
    if (err instanceof EngineError && err.detail.code === 'input') throw inputError(`--n ${value}: ${err.detail.message}`);
    throw err;
  }
}

function parseBackend(value: string | undefined) {
  const backend = value ?? DEFAULTS.backend;
  if (!isBackendChoice(backend)) throw inputError(`unknown backend "${backend}" (${BACKEND_CHOICES.join(', ')})`);
  return backend;
}

/** --threads: the engine holds it to the cores there are; the hard limit is checked here. */
function parseThreads(value: string | undefined): number {
  return parseInteger('threads', value, DEFAULTS.threads, { min: 1, max: LIMITS.maxThreads });
}

/**
 * --memory-budget-mib: positive, and no more than the machine's memory (os.totalmem): the budget is
 * what refuses a variant before it runs out of memory, so a budget above the machine's memory
 * protects nothing. Under an address-space limit (ulimit -v), no more than half of the address
 * space left: the kernels' results and copies need the other half, and V8 may crash rather than
 * throw when a mapping fails. The default is lowered to these caps where they are lower.
 */
function parseMemoryBudget(value: string | undefined): number {
  const machineMiB = Math.floor(os.totalmem() / MIB);
  const space = addressSpaceLeft();
  const spaceMiB = space === undefined ? Infinity : Math.floor(space.leftBytes / 2 / MIB);
  if (value === undefined) {
    const mib = Math.max(1, Math.min(DEFAULTS.memoryBudgetMiB, machineMiB, spaceMiB));
    if (space !== undefined && mib === spaceMiB && spaceMiB < DEFAULTS.memoryBudgetMiB) {
      process.stderr.write(`note: the memory budget is ${mib} MiB, half the address space left under this process's limit (ulimit -v)\n`);
    }
    return mib * MIB;
  }
  const mib = parseNumber('memoryBudgetMiB', value, DEFAULTS.memoryBudgetMiB);
  if (mib === 0) throw inputError(`${FLAGS.memoryBudgetMiB} ${value}: the value must be positive`);
  if (mib > LIMITS.maxMemoryBudgetMiB) throw new EngineError({ code: 'setting-range', setting: 'memoryBudgetMiB', value: mib, min: 0, max: LIMITS.maxMemoryBudgetMiB });
  if (mib > machineMiB) {
    throw inputError(`${FLAGS.memoryBudgetMiB} ${value}: ${overMachineMemory(machineMiB)}`);
  }
  if (space !== undefined && mib > spaceMiB) {
    throw inputError(
      `${FLAGS.memoryBudgetMiB} ${value}: more than this process can use under its address-space limit (ulimit -v ${Math.floor(space.limitBytes / 1024)} kB, ${Math.floor(space.leftBytes / MIB)} MiB of it left); the budget can be at most half of what is left, ${spaceMiB} MiB`,
    );
  }
  return mib * MIB;
}

/** The input flags of profile, read and held to the limits before anything runs. */
function readInput(
  values: { text?: string; file?: string; ids?: string; qkv?: string },
  options: { givenD: number | undefined; tokenizer: TokenizerName; maxTokens: number },
): InputSpec {
  const given = (['text', 'file', 'ids', 'qkv'] as const).filter((k) => values[k] !== undefined);
  if (given.length === 0) throw inputError('profile needs an input: --text STR, --file PATH, --ids LIST or --qkv DIR');
  if (given.length > 1) throw inputError(`give one input, not ${given.map((g) => `--${g}`).join(' and ')}`);
  if (values.ids !== undefined) {
    // Read only as far as the limit: a longer list is refused at id maxTokens + 1.
    parseIdList(values.ids, options.maxTokens);
    return { kind: 'ids', ids: values.ids };
  }
  if (values.qkv !== undefined) {
    const qkvDir = values.qkv;
    const qkv = loadQkvFolder(qkvDir, options.maxTokens);
    if (options.givenD !== undefined && options.givenD !== qkv.d) throw inputError(`--d ${options.givenD} does not match the arrays in ${qkvDir}, which have d = ${qkv.d}`);
    return { kind: 'qkv', qkv, source: qkvDir };
  }
  let text: string;
  let source: string;
  if (values.file !== undefined) {
    text = readTextFile(values.file);
    source = values.file;
  } else {
    text = values.text ?? '';
    source = 'text';
  }
  // Refused while tokenizing, as soon as the count passes the limit: a 20 MB text in milliseconds.
  if (text.trim().length > 0) checkTokenLimit(text, options.tokenizer, options.maxTokens);
  return { kind: 'text', text, source };
}

function readTextFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw inputError(`--file ${file}: no such file`);
    throw inputError(`--file ${file}: cannot be read (${describeFsError(err)})`);
  }
  if (stat.isDirectory()) throw inputError(`--file ${file}: it is a folder; give a text file`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw inputError(`--file ${file}: cannot be read (${describeFsError(err)})`);
  }
}

/** Entry point of the bin: one line on stderr and exit code 2 for user errors, no stack trace. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof EngineError && err.isUserError) {
        process.stderr.write(`attention-profiler: ${describeForCli(err.detail)}\n`);
        process.exit(2);
      }
      process.stderr.write(`attention-profiler: internal error: ${errorMessage(err)}\n`);
      if (process.env.ATTENTION_PROFILER_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
