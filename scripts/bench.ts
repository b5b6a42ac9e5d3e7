// `npm run bench`: the complexity and memory checks of the attention engine, as ratios within one
// run (machines here are shared and noisy, so absolute times mean little). Exits 1 when a check
// misses its threshold. Results go to bench-results/ (ignored by git). Options: --backend NAME.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { nodePlatform } from '../src/engine/node/platform';
import { installPlatform } from '../src/engine/platform';
import { profile } from '../src/engine/profile';
import { isBackendChoice, type BackendChoice } from '../src/model/backends';
import { formatBytes } from '../src/model/format';
import { DEFAULTS, MIB } from '../src/model/limits';
import type { VariantResult } from '../src/model/report';
import type { VariantId } from '../src/model/variant-ids';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webasm' } } });
const backend = backendArgument(values.backend);
installPlatform(nodePlatform);

function backendArgument(value: string): BackendChoice {
  if (!isBackendChoice(value)) throw new Error(`unknown backend ${value}`);
  return value;
}

function ids(n: number): string {
  return Array.from({ length: n }, (_, i) => (i * 7919) % 50000).join(',');
}

async function measure(variants: VariantId[], n: number): Promise<Map<string, VariantResult>> {
  const report = await profile({
    ...DEFAULTS,
    memoryBudgetBytes: DEFAULTS.memoryBudgetMiB * MIB,
    input: { kind: 'ids', ids: ids(n) },
    variants,
    backend,
    params: variants.includes('sliding') ? { sliding: { window: 32 } } : {},
    timeBudgetMs: 0,
  });
  return new Map(report.variants.map((v) => [v.id, v]));
}

function medianMs(results: Map<string, VariantResult>, id: VariantId): number {
  const ms = results.get(id)?.time?.medianMs;
  if (ms === undefined) throw new Error(`${id} was not timed: ${results.get(id)?.reason ?? 'no result'}`);
  return ms;
}

async function main(): Promise<number> {
  const lines: string[] = [];
  const misses: string[] = [];
  const log = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  const check = (name: string, ok: boolean) => {
    if (!ok) misses.push(name);
  };
  log(`backend ${backend}, d = 64, causal, median of 5 timed runs`);

  const slidingSmall = medianMs(await measure(['sliding'], 4096), 'sliding');
  const slidingLarge = medianMs(await measure(['sliding'], 16384), 'sliding');
  const slidingRatio = slidingLarge / slidingSmall;
  log(`sliding (window 32): N=4096 ${slidingSmall.toFixed(1)} ms, N=16384 ${slidingLarge.toFixed(1)} ms, ratio ${slidingRatio.toFixed(2)} (4x N; linear = 4, must be < 5)`);
  check('sliding grows linearly', slidingRatio < 5);

  const fullSmall = medianMs(await measure(['full'], 1024), 'full');
  const large = await measure(['full', 'full-streaming', 'sliding', 'linear', 'rwkv'], 4096);
  const fullRatio = medianMs(large, 'full') / fullSmall;
  log(`full: N=1024 ${fullSmall.toFixed(1)} ms, N=4096 ${medianMs(large, 'full').toFixed(1)} ms, ratio ${fullRatio.toFixed(2)} (4x N; quadratic = 16, must be > 12)`);
  check('full grows quadratically', fullRatio > 12);

  log('memory at N = 4096 (measured peak of intermediates; predicted in brackets):');
  for (const id of ['full', 'full-streaming', 'sliding', 'linear', 'rwkv'] as const) {
    const m = large.get(id)?.memory;
    log(`  ${id.padEnd(15)} ${formatBytes(m?.measuredBytes ?? NaN).padStart(10)}  [${formatBytes(m?.predictedBytes ?? NaN)}]`);
    if (id !== 'full') check(`${id} under 8 MiB at N = 4096`, (m?.measuredBytes ?? Infinity) < 8 * MIB);
  }
  check('full at least 64 MiB at N = 4096', (large.get('full')?.memory.measuredBytes ?? 0) >= 64 * MIB);
  fs.mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/bench-${backend}-${new Date().toISOString().replace(/[:.]/gu, '-')}.txt`;
  fs.writeFileSync(file, `${lines.join('\n')}\n${misses.length > 0 ? `missed: ${misses.join('; ')}\n` : 'every check held\n'}`);
  console.log(`written to ${file}`);
  if (misses.length > 0) console.error(`bench: missed ${misses.length} check(s): ${misses.join('; ')}`);
  return misses.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
