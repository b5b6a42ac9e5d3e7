// `npm run bench`: the complexity and memory checks of the attention core, as ratios within one
// run (machines here are shared and noisy, so absolute times mean little). Results go to
// bench-results/ (ignored by git). Options: --backend NAME (default webasm).
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { formatBytes } from '../src/core/measure';
import { DEFAULT_SETTINGS, profile } from '../src/core/profile';
import type { BackendChoice } from '../src/core/backends';
import type { VariantId } from '../src/core/variants/types';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webasm' } } });
const backend = values.backend as BackendChoice;

function ids(n: number): string {
  return Array.from({ length: n }, (_, i) => (i * 7919) % 50000).join(',');
}

async function measure(variants: VariantId[], n: number) {
  const report = await profile({
    ...DEFAULT_SETTINGS,
    input: { kind: 'ids', ids: ids(n), tokenizer: 'o200k_base' },
    variants,
    backend,
    params: variants.includes('sliding') ? { sliding: { window: 32 } } : {},
    timeBudgetMs: 0,
  });
  return Object.fromEntries(report.variants.map((v) => [v.id, v]));
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const log = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  log(`backend ${backend}, d = 64, causal, median of 5 timed runs`);

  const slidingSmall = await measure(['sliding'], 4096);
  const slidingLarge = await measure(['sliding'], 16384);
  const slidingRatio = slidingLarge.sliding!.time!.medianMs / slidingSmall.sliding!.time!.medianMs;
  log(`sliding (window 32): N=4096 ${slidingSmall.sliding!.time!.medianMs.toFixed(1)} ms, N=16384 ${slidingLarge.sliding!.time!.medianMs.toFixed(1)} ms, ratio ${slidingRatio.toFixed(2)} (4x N; linear = 4, must be < 5)`);

  const fullSmall = await measure(['full'], 1024);
  const fullLarge = await measure(['full', 'full-streaming', 'sliding', 'linear', 'rwkv'], 4096);
  const fullRatio = fullLarge.full!.time!.medianMs / fullSmall.full!.time!.medianMs;
  log(`full: N=1024 ${fullSmall.full!.time!.medianMs.toFixed(1)} ms, N=4096 ${fullLarge.full!.time!.medianMs.toFixed(1)} ms, ratio ${fullRatio.toFixed(2)} (4x N; quadratic = 16, must be > 12)`);

  log('memory at N = 4096 (measured peak of intermediates; predicted in brackets):');
  for (const id of ['full', 'full-streaming', 'sliding', 'linear', 'rwkv'] as const) {
    const m = fullLarge[id]!.memory;
    log(`  ${id.padEnd(15)} ${formatBytes(m.measuredBytes ?? NaN).padStart(10)}  [${formatBytes(m.predictedBytes)}]`);
  }
  fs.mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/bench-${backend}-${new Date().toISOString().replace(/[:.]/gu, '-')}.txt`;
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  console.log(`written to ${file}`);
  process.exit(0);
}

void main();
