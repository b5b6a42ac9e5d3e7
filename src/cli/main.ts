import * as fs from 'node:fs';
import * as path from 'node:path';
import { isBackendChoice } from '../core/backends';
import { UserError, errorMessage } from '../core/errors';
import { encodeNpyMatrix } from '../core/npy';
import { describeParam, resolveParams } from '../core/params';
import { DEFAULT_SETTINGS, LIMITS, checkSettingsRange, profile, type InputSpec, type ProfileRequest } from '../core/profile';
import { loadQkvFolder } from '../core/qkv';
import { isTokenizerName, TOKENIZERS, type TokenizerName } from '../core/tokens';
import { TOOL_VERSION } from '../core/version';
import { isVariantId, VARIANTS, variantById } from '../core/variants/registry';
import { parseCommandArgs, parseDirection, parseInteger, parseNumber, parsePlainParams, parseScopedParams, parseVariantList } from './cli-parts';
import { DEFAULT_SWEEP_LENGTHS, parseLengths, sweep, type SweepRequest } from '../core/sweep';
import { DEFAULT_POINT_BUDGET_MS } from '../core/sweep-defaults';
import { exportText } from '../core/export-content';
import type { ReportContent } from '../core/report';
import { renderProfile, renderSweep } from './table';

const USAGE = `attention-profiler ${TOOL_VERSION}: profile 14 attention variants on your tokens

usage:
  attention-profiler variants [--json]
  attention-profiler mask --variant ID --n N [--causal | --bidirectional] [--param NAME=VALUE ...]
  attention-profiler profile (--text STR | --file PATH | --ids LIST | --qkv DIR) [--variants LIST|all]
      [--backend auto|webgpu|headlessgl|webasm|cpu] [--d D] [--seed S] [--causal | --bidirectional]
      [--param ID.NAME=VALUE ...] [--repeats R] [--json OUT] [--dump-outputs DIR]
      [--tokenizer ${TOKENIZERS.join('|')}] [--max-tokens N] [--time-budget-ms MS] [--memory-budget-mib MIB] [--maps SIZE]
      [--csv OUT] [--html OUT] [--threads T]
  attention-profiler sweep --variants LIST|all --n N1,N2,... [--backend NAME] [--d D] [--seed S]
      [--causal | --bidirectional] [--param ID.NAME=VALUE ...] [--json OUT] [--csv OUT] [--html OUT]
      [--memory-budget-mib MIB] [--point-budget-ms MS] [--threads T]

--threads T: webasm kernels on a pool of T worker threads (gpu.js async mode); the default, 1, runs
them on one thread, which gives steadier timings and scaling curves.

exit codes: 0 all variants ran, 1 a variant failed (see the table), 2 bad input or a backend that cannot run`;

const MASK_MAX_N = 4096;

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

/** --json, --csv, --html: checked before the work starts, written after it. */
function checkExportTargets(values: { json?: string; csv?: string; html?: string }): void {
  for (const [flag, file] of [['--json', values.json], ['--csv', values.csv], ['--html', values.html]] as const) if (file !== undefined) checkWritableFile(file, flag);
}

function writeExports(values: { json?: string; csv?: string; html?: string }, content: ReportContent): void {
  for (const format of ['json', 'csv', 'html'] as const) {
    const file = values[format];
    if (file !== undefined) fs.writeFileSync(file, exportText(format, content));
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
      process.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    default:
      throw new UserError(`unknown command "${command}" (commands: variants, mask, profile, sweep; --help for usage)`);
  }
}

function variantsCommand(argv: string[]): number {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  const list = VARIANTS.map((v) => ({
    id: v.id,
    name: v.name,
    family: v.family,
    summary: v.summary,
    directions: v.directions,
    map: v.maskType,
    params: v.params.map((p) => ({ name: p.name, kind: p.kind, description: p.description, ...describeParam(p), dependsOnN: p.dependsOnN ?? false })),
  }));
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
  if (!values.variant) throw new UserError('mask needs --variant ID');
  if (!isVariantId(values.variant)) throw new UserError(`unknown variant "${values.variant}" (known: ${VARIANTS.map((v) => v.id).join(', ')})`);
  if (values.n === undefined) throw new UserError('mask needs --n N');
  const n = parseInteger('n', values.n, 0);
  checkSettingsRange('n', n, 1, MASK_MAX_N);
  const variant = variantById(values.variant);
  const causal = parseDirection(values.causal, values.bidirectional);
  if (variant.directions === 'causal-only' && !causal) throw new UserError(`${variant.id} is causal only; drop --bidirectional`);
  const params = resolveParams(variant.id, variant.params, parsePlainParams(values.param), n);
  const ctx = { n, d: 1, causal, seed: DEFAULT_SETTINGS.seed, params };
  const cols = variant.maskColumns(ctx);
  const rows: string[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    let row = '';
    for (let j = 0; j < cols; j++) {
      const on = variant.allowed(ctx, i, j);
      if (on) count++;
      row += on ? '1' : '0';
    }
    rows.push(row);
  }
  const note = variant.directionNote(causal);
  if (note) process.stderr.write(`note: ${note}\n`);
  process.stdout.write(`${JSON.stringify({ variant: variant.id, n, causal, params, type: variant.maskType, shape: [n, cols], count, rows })}\n`);
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
  });
  const backend = values.backend ?? 'auto';
  if (!isBackendChoice(backend)) throw new UserError(`unknown backend "${backend}" (auto, webgpu, headlessgl, webasm, cpu)`);
  const tokenizer = values.tokenizer ?? 'o200k_base';
  if (!isTokenizerName(tokenizer)) throw new UserError(`unknown tokenizer "${tokenizer}" (${TOKENIZERS.join(', ')})`);
  const maxTokens = parseInteger('max-tokens', values['max-tokens'], DEFAULT_SETTINGS.maxTokens);
  checkSettingsRange('max-tokens', maxTokens, 1, LIMITS.maxTokensHard);
  const d = parseInteger('d', values.d, DEFAULT_SETTINGS.d);
  const request: ProfileRequest = {
    input: readInput(values, tokenizer, d),
    variants: parseVariantList(values.variants),
    backend,
    d,
    seed: parseInteger('seed', values.seed, DEFAULT_SETTINGS.seed),
    causal: parseDirection(values.causal, values.bidirectional),
    params: parseScopedParams(values.param),
    repeats: parseInteger('repeats', values.repeats, DEFAULT_SETTINGS.repeats),
    warmups: DEFAULT_SETTINGS.warmups,
    timeBudgetMs: parseNumber('time-budget-ms', values['time-budget-ms'], DEFAULT_SETTINGS.timeBudgetMs),
    memoryBudgetBytes: parseNumber('memory-budget-mib', values['memory-budget-mib'], DEFAULT_SETTINGS.memoryBudgetBytes / 2 ** 20) * 2 ** 20,
    maxTokens,
    mapSize: parseInteger('maps', values.maps, DEFAULT_SETTINGS.mapSize),
    checkRowLimit: DEFAULT_SETTINGS.checkRowLimit,
    gateTolerance: DEFAULT_SETTINGS.gateTolerance,
    threads: parseInteger('threads', values.threads, DEFAULT_SETTINGS.threads),
  };
  checkSettingsRange('seed', request.seed, 0, 2 ** 31 - 1);
  checkSettingsRange('maps', request.mapSize, 0, 512);
  if (!(request.timeBudgetMs >= 0)) throw new UserError('--time-budget-ms must be >= 0');
  if (!(request.memoryBudgetBytes > 0)) throw new UserError('--memory-budget-mib must be > 0');
  const dumpDir = values['dump-outputs'];
  if (dumpDir !== undefined) prepareOutputDir(dumpDir, '--dump-outputs');
  checkExportTargets(values);

  const report = await profile(request, {
    onProgress: (e) => {
      if (e.kind === 'variant' && e.phase === 'compiling' && process.stderr.isTTY) process.stderr.write(`\r${e.index + 1}/${e.total} ${e.id}...`.padEnd(40));
    },
    onOutput: dumpDir === undefined ? undefined : (id, output, n, dd) => fs.writeFileSync(path.join(dumpDir, `${id}.npy`), encodeNpyMatrix(output, n, dd)),
  });
  if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(41) + '\r');
  writeExports(values, { kind: 'run', report });
  process.stdout.write(`${renderProfile(report)}\n`);
  return report.variants.some((v) => v.status === 'failed') ? 1 : 0;
}

async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...MEASURE_OPTIONS, n: { type: 'string' }, 'point-budget-ms': { type: 'string' } });
  const backend = values.backend ?? 'auto';
  if (!isBackendChoice(backend)) throw new UserError(`unknown backend "${backend}" (auto, webgpu, headlessgl, webasm, cpu)`);
  const request: SweepRequest = {
    variants: parseVariantList(values.variants),
    lengths: values.n === undefined ? DEFAULT_SWEEP_LENGTHS : parseLengths(values.n),
    backend,
    d: parseInteger('d', values.d, DEFAULT_SETTINGS.d),
    seed: parseInteger('seed', values.seed, DEFAULT_SETTINGS.seed),
    causal: parseDirection(values.causal, values.bidirectional),
    params: parseScopedParams(values.param),
    memoryBudgetBytes: parseNumber('memory-budget-mib', values['memory-budget-mib'], DEFAULT_SETTINGS.memoryBudgetBytes / 2 ** 20) * 2 ** 20,
    pointBudgetMs: parseNumber('point-budget-ms', values['point-budget-ms'], DEFAULT_POINT_BUDGET_MS),
    threads: parseInteger('threads', values.threads, DEFAULT_SETTINGS.threads),
  };
  checkSettingsRange('seed', request.seed, 0, 2 ** 31 - 1);
  if (!(request.memoryBudgetBytes > 0)) throw new UserError('--memory-budget-mib must be > 0');
  if (!(request.pointBudgetMs >= 0)) throw new UserError('--point-budget-ms must be >= 0');
  checkExportTargets(values);
  const report = await sweep(request, {
    onProgress: (e) => {
      if (e.kind === 'point' && e.phase === 'compiling' && process.stderr.isTTY) process.stderr.write(`\r${e.point + 1}/${e.total} ${e.id} N=${e.n}...`.padEnd(50));
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(51) + '\r');
  writeExports(values, { kind: 'sweep', sweep: report });
  process.stdout.write(`${renderSweep(report)}\n`);
  return report.variants.some((v) => v.points.some((p) => p.status === 'failed')) ? 1 : 0;
}

function readInput(values: { text?: string; file?: string; ids?: string; qkv?: string }, tokenizer: TokenizerName, d: number): InputSpec {
  const given = (['text', 'file', 'ids', 'qkv'] as const).filter((k) => values[k] !== undefined);
  if (given.length === 0) throw new UserError('profile needs an input: --text STR, --file PATH, --ids LIST or --qkv DIR');
  if (given.length > 1) throw new UserError(`give one input, not ${given.map((g) => `--${g}`).join(' and ')}`);
  if (values.text !== undefined) return { kind: 'text', text: values.text, tokenizer, source: 'text' };
  if (values.ids !== undefined) return { kind: 'ids', ids: values.ids, tokenizer };
  if (values.file !== undefined) {
    const file = values.file;
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UserError(`--file ${file}: no such file`);
    return { kind: 'text', text: fs.readFileSync(file, 'utf8'), tokenizer, source: file };
  }
  const qkv = loadQkvFolder(values.qkv as string);
  if (d !== DEFAULT_SETTINGS.d && d !== qkv.d) throw new UserError(`--d ${d} does not match the arrays in ${values.qkv}, which have d = ${qkv.d}`);
  return { kind: 'qkv', qkv, source: values.qkv as string };
}

function prepareOutputDir(dir: string, flag: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`${flag} ${dir}: cannot create the folder (${errorMessage(err)})`);
  }
}

function checkWritableFile(file: string, flag: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UserError(`${flag} ${file}: the folder ${dir} does not exist`);
}

/** Entry point of the bin: one line on stderr and exit code 2 for user errors, no stack trace. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UserError) {
        process.stderr.write(`attention-profiler: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`attention-profiler: internal error: ${errorMessage(err)}\n`);
      if (process.env.ATTENTION_PROFILER_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
