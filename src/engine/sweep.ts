import { inputError } from '../model/errors';
import type { Phase, VariantResult } from '../model/report';
import { DEFAULTS, LIMITS, SWEEP_TIMING } from '../model/limits';
import type { SweepSettings } from '../model/settings';
import { summarizeSweep, type SweepMeta, type SweepPoint, type SweepProgress, type SweepReport } from '../model/sweep';
import type { VariantId } from '../model/variant-ids';
import { TOOL_VERSION } from '../model/version';
import { selectBackend } from './backends';
import { checkRows, median } from './measure';
import { baseResult, measureVariant, retimeVariant, type RetimeResult } from './measure-variant';
import { currentPlatform } from './platform';
import { checkSetting, prepareVariants } from './profile';
import { alternateQkv, syntheticQkv } from './qkv';
import type { Token } from './tokens';
import { WallClock } from './wall-clock';
import { variantById } from './variants/registry';

export interface SweepRequest extends SweepSettings {
  /** Tokens cycled to each length; synthetic ids when absent. */
  tokens?: readonly Token[];
}

export interface SweepHooks {
  /** The sweep's start (what it was asked), each phase of each point, and each measured point. */
  onProgress?(event: SweepProgress): void;
  shouldCancel?(): boolean;
}

/** The sweep's tokens at length n: the given ones cycled, or deterministic synthetic ids. */
function tokensAt(base: readonly Token[] | undefined, n: number): Token[] {
  if (base && base.length > 0) return Array.from({ length: n }, (_, i) => base[i % base.length] ?? { id: 0, text: '' });
  return Array.from({ length: n }, (_, i) => {
    const id = (i * 7919) % 50000;
    return { id, text: `#${id}` };
  });
}

/**
 * Time and memory of each variant at each length, with the same measurement rules as a run
 * (correctness gate first, first call apart, warm-up, read-back inside timed runs, two input sets),
 * then the log-log slopes and the crossovers against full. Parameters stay fixed except those that
 * depend on N; a point whose predicted memory exceeds the budget is skipped with what it would need.
 */
export async function sweep(request: SweepRequest, hooks: SweepHooks = {}): Promise<SweepReport> {
  checkSetting('d', request.d, LIMITS.minD, LIMITS.maxD);
  if (request.lengths.length === 0) throw inputError('the list of lengths is empty');
  const shapes = request.lengths.map((n) => ({ n, d: request.d, causal: request.causal, seed: request.seed }));
  // Every variant at every length, so that a parameter out of range at some length stops the sweep before it starts.
  const prepared = prepareVariants(request.variants, request.params, shapes);
  checkSetting('threads', request.threads, 1, currentPlatform().availableThreads());
  const selection = await selectBackend(request.backend, request.threads, request.auto);
  const meta: SweepMeta = {
    lengths: request.lengths,
    d: request.d,
    seed: request.seed,
    causal: request.causal,
    tokens: request.tokens && request.tokens.length > 0 ? `the input's ${request.tokens.length} tokens, cycled to each length` : 'synthetic token ids',
    pointBudgetMs: request.pointBudgetMs,
    memoryBudgetBytes: request.memoryBudgetBytes,
    gateTolerance: request.gateTolerance,
    backend: selection,
    givenParams: request.params,
    variants: request.variants.map((id) => ({ id, name: variantById(id).name, family: variantById(id).family })),
    environment: currentPlatform().environment(),
    tool: { name: 'attention-profiler', version: TOOL_VERSION },
  };
  hooks.onProgress?.({ kind: 'start', meta });

  const shouldCancel = () => hooks.shouldCancel?.() ?? false;
  const clock = new WallClock();
  const total = request.variants.length * request.lengths.length * SWEEP_TIMING.rounds;
  const points = new Map<VariantId, SweepPoint[]>(request.variants.map((id) => [id, []]));
  const timing = { ...SWEEP_TIMING, budgetMs: request.pointBudgetMs, skipWarmupsWhenSlow: true, collectBeforeEachRun: true };
  let cancelled = false;
  let done = 0;
  const lengths = [...request.lengths.entries()];
  for (let round = 1; round <= SWEEP_TIMING.rounds; round++) {
    for (const [lengthIndex, n] of round % 2 === 1 ? lengths : [...lengths].reverse()) {
      const qkv = syntheticQkv(tokensAt(request.tokens, n), request.d, request.seed);
      const alternate = alternateQkv(qkv);
      const rows = checkRows(n, DEFAULTS.checkRowLimit);
      for (const id of request.variants) {
        const variant = prepared.get(id)?.[lengthIndex];
        if (!variant) throw new Error(`variant ${id} was not prepared at N = ${n}`);
        const point = done++;
        const progress = (phase: Phase, extra: { run?: number } = {}) => hooks.onProgress?.({ kind: 'point', id, n, point, total, phase, ...extra });
        const inputs = {
          qkv,
          alternate,
          rows,
          selection,
          timing,
          memoryBudgetBytes: request.memoryBudgetBytes,
          gateTolerance: request.gateTolerance,
          mapSize: 0,
          clock,
          shouldCancel,
          progress,
        };
        cancelled ||= shouldCancel();
        const earlier = points.get(id)?.find((p) => p.n === n);
        let measured: SweepPoint;
        if (round === 1) {
          const result = cancelled ? baseResult(variant, selection.selected, 'cancelled', 'the sweep was cancelled before this point') : await measureVariant(variant, inputs);
          cancelled ||= result.status === 'cancelled';
          measured = toPoint(n, result);
        } else {
          if (!earlier || earlier.status !== 'ok' || cancelled) continue;
          measured = withRound(earlier, await retimeVariant(variant, inputs), round);
          cancelled ||= shouldCancel();
        }
        points.set(
          id,
          [...(points.get(id) ?? []).filter((p) => p.n !== n), measured].sort((a, b) => a.n - b.n),
        );
        hooks.onProgress?.({ kind: 'measured', id, point: measured });
        hooks.onProgress?.({ kind: 'point', id, n, point, total, phase: 'done', status: measured.status });
      }
    }
  }
  return summarizeSweep(meta, points, cancelled);
}

/** A point with a later round's timed runs added: its samples join the earlier ones, its first call stays the first round's. */
function withRound(earlier: SweepPoint, again: RetimeResult, round: number): SweepPoint {
  if (!earlier.time || !('time' in again)) {
    const why = 'failed' in again ? `round ${round} failed (${again.failed})` : `round ${round} was cancelled`;
    return { ...earlier, reason: `timed in the earlier rounds only: ${why}` };
  }
  const samplesMs = [...earlier.time.samplesMs, ...again.time.samplesMs];
  return {
    ...earlier,
    time: {
      ...earlier.time,
      medianMs: median(samplesMs),
      minMs: Math.min(...samplesMs),
      maxMs: Math.max(...samplesMs),
      runs: samplesMs.length,
      warmups: earlier.time.warmups + again.time.warmups,
      samplesMs,
      reducedRuns: earlier.time.reducedRuns || again.time.runs < SWEEP_TIMING.maxRuns,
    },
    memory: { ...earlier.memory, measuredBytes: Math.max(earlier.memory.measuredBytes ?? 0, again.measuredBytes) },
  };
}

function toPoint(n: number, r: VariantResult): SweepPoint {
  return {
    n,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    params: r.params,
    ...(r.time ? { time: { ...r.time, reducedRuns: r.time.runs < SWEEP_TIMING.maxRuns } } : {}),
    memory: r.memory,
    predictedFlops: r.predictedFlops,
    ...(r.check ? { check: r.check } : {}),
  };
}
