// `npm run bench`: every variant's time and GFLOP/s at N = 1024, 4096 and 16384 (JSON in
// bench-results/, ignored by git), compared with the committed baseline of this machine class
// (bench/baselines/<class>.json). Exits 1 when a variant is slower beyond the noise (min-max
// ranges apart and >= 10% on the median) or no longer runs, or when a complexity or memory check
// misses. A benchmark, not a test: CI does not run it (shared machines are noisy).
//
// Options: --backend NAME (webasm), --threads T (1), --n LIST (1024,4096,16384), --variants LIST
// (all), --time-budget-ms MS (300), --update-baseline (write this run as the baseline).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { nodePlatform } from '../src/engine/node/platform';
import { installPlatform } from '../src/engine/platform';
import { profile } from '../src/engine/profile';
import { isBackendChoice, type BackendChoice } from '../src/model/backends';
import { formatGflops } from '../src/model/efficiency';
import { formatBytes } from '../src/model/format';
import { DEFAULTS, MIB } from '../src/model/limits';
import type { ProfileReport } from '../src/model/report';
import { isVariantId, VARIANT_IDS, type VariantId } from '../src/model/variant-ids';
import { benchFileSchema, compareBench, machineClass, type BenchEntry, type BenchFile } from './bench-compare';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webasm' },
    threads: { type: 'string', default: '1' },
    n: { type: 'string', default: '1024,4096,16384' },
    variants: { type: 'string', default: 'all' },
    'time-budget-ms': { type: 'string', default: '300' },
    'update-baseline': { type: 'boolean', default: false },
  },
});
installPlatform(nodePlatform);

const backend = backendArgument(values.backend);
const threads = Number(values.threads);
const lengths = values.n.split(',').map(Number);
const variants: VariantId[] = values.variants === 'all' ? [...VARIANT_IDS] : values.variants.split(',').filter(isVariantId);
const timeBudgetMs = Number(values['time-budget-ms']);

function backendArgument(value: string): BackendChoice {
  if (!isBackendChoice(value)) throw new Error(`unknown backend ${value}`);
  return value;
}

function ids(n: number): string {
  return Array.from({ length: n }, (_, i) => (i * 7919) % 50000).join(',');
}

async function run(n: number): Promise<ProfileReport> {
  return profile({
    ...DEFAULTS,
    memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
    input: { kind: 'ids', ids: ids(n) },
    variants,
    backend,
    threads,
    params: {},
    timeBudgetMs,
    // The gate and the error figures on 64 rows: the benchmark is about the timed runs.
    checkRowLimit: 64,
  });
}

function entriesOf(report: ProfileReport): BenchEntry[] {
  return report.variants.map((v) => ({
    id: v.id,
    n: report.input.n,
    status: v.status,
    ...(v.time ? { medianMs: v.time.medianMs, minMs: v.time.minMs, maxMs: v.time.maxMs, runs: v.time.runs } : {}),
    ...(v.efficiency ? { gflops: v.efficiency.achievedGflops, fractionOfCeiling: v.efficiency.fractionOfCeiling } : {}),
    ...(v.reason ? { reason: v.reason } : {}),
  }));
}

/** The complexity and memory checks of the engine, as ratios within this run. */
function complexityChecks(reports: Map<number, ProfileReport>): { lines: string[]; misses: string[] } {
  const lines: string[] = [];
  const misses: string[] = [];
  const ms = (n: number, id: string) => reports.get(n)?.variants.find((v) => v.id === id)?.time?.medianMs;
  const ratio = (id: string, from: number, to: number, test: (r: number) => boolean, expect: string) => {
    const a = ms(from, id);
    const b = ms(to, id);
    if (a === undefined || b === undefined) return;
    const r = b / a;
    lines.push(`${id}: N=${from} ${a.toFixed(1)} ms, N=${to} ${b.toFixed(1)} ms, ratio ${r.toFixed(2)} (${expect})`);
    if (!test(r)) misses.push(`${id} ${expect}`);
  };
  ratio('full', 1024, 4096, (r) => r > 12, '4x N: quadratic = 16, must be > 12');
  ratio('sliding', 4096, 16384, (r) => r < 5, '4x N: linear = 4, must be < 5');
  const at4096 = reports.get(4096);
  if (at4096) {
    for (const id of ['full-streaming', 'sliding', 'linear', 'rwkv']) {
      const m = at4096.variants.find((v) => v.id === id)?.memory;
      if (!m) continue;
      lines.push(`${id} at N = 4096: ${formatBytes(m.measuredBytes ?? NaN)} measured [${formatBytes(m.predictedBytes)} predicted], must be < 8 MiB`);
      if ((m.measuredBytes ?? Infinity) >= 8 * MIB) misses.push(`${id} under 8 MiB at N = 4096`);
    }
    const full = at4096.variants.find((v) => v.id === 'full')?.memory.measuredBytes;
    if (full !== undefined && full < 32 * MIB) misses.push('full at least 32 MiB at N = 4096 (the scores are materialised)');
  }
  return { lines, misses };
}

function table(entries: readonly BenchEntry[]): string {
  return entries
    .map((e) =>
      [
        e.id.padEnd(15),
        String(e.n).padStart(6),
        e.medianMs === undefined ? `${e.status}${e.reason ? `: ${e.reason}` : ''}` : `${e.medianMs.toFixed(1).padStart(9)} ms [${e.minMs!.toFixed(1)}-${e.maxMs!.toFixed(1)}]`,
        e.gflops === undefined ? '' : `${formatGflops(e.gflops)} GFLOP/s${e.fractionOfCeiling === undefined ? '' : ` (${Math.round(e.fractionOfCeiling * 100)}%)`}`,
      ].join('  '),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const reports = new Map<number, ProfileReport>();
  for (const n of lengths) {
    console.log(`N = ${n}...`);
    reports.set(n, await run(n));
  }
  const first = [...reports.values()][0];
  const entries = [...reports.values()].flatMap(entriesOf);
  const klass = machineClass(first.environment, first.backend.selected, first.backend.threads);
  const file: BenchFile = {
    schema: 'attention-profiler/bench',
    version: 1,
    machineClass: klass,
    createdAt: new Date().toISOString(),
    backend: first.backend.selected,
    threads: first.backend.threads,
    ...(first.ceiling ? { ceilingGflops: first.ceiling.gflops } : {}),
    environment: { ...first.environment },
    settings: { lengths, timeBudgetMs, repeats: DEFAULTS.repeats, d: DEFAULTS.d, causal: DEFAULTS.causal },
    entries,
  };
  console.log(`\n${klass}; ceiling ${first.ceiling ? `${formatGflops(first.ceiling.gflops)} GFLOP/s` : `none (${first.ceilingNote ?? ''})`}\n${table(entries)}\n`);
  const checks = complexityChecks(reports);
  console.log(checks.lines.join('\n'));

  fs.mkdirSync('bench-results', { recursive: true });
  const out = path.join('bench-results', `bench-${klass}-${file.createdAt.replace(/[:.]/gu, '-')}.json`);
  fs.writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);

  const baselinePath = path.join('bench', 'baselines', `${klass}.json`);
  if (values['update-baseline']) {
    fs.mkdirSync(path.dirname(baselinePath), { recursive: true });
    fs.writeFileSync(baselinePath, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`baseline updated: ${baselinePath}`);
  }
  const failures = [...checks.misses];
  if (!fs.existsSync(baselinePath)) {
    console.log(`no baseline for machine class ${klass} (${baselinePath}); --update-baseline makes this run the baseline`);
  } else if (!values['update-baseline']) {
    const baseline = benchFileSchema.parse(JSON.parse(fs.readFileSync(baselinePath, 'utf8')));
    const changes = compareBench(baseline.entries, entries);
    console.log(`\nagainst ${baselinePath} (${baseline.createdAt.slice(0, 10)}): ${changes.length === 0 ? 'no change beyond the noise' : ''}`);
    for (const c of changes) console.log(`  ${c.kind.padEnd(14)} ${c.id} N=${c.n}: ${c.detail}`);
    failures.push(...changes.filter((c) => c.kind !== 'faster').map((c) => `${c.id} N=${c.n} ${c.kind}`));
    if (changes.some((c) => c.kind === 'faster')) console.log('faster beyond the noise: --update-baseline keeps the new times as the baseline');
  }
  if (failures.length > 0) console.error(`bench: ${failures.length} miss(es): ${failures.join('; ')}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
