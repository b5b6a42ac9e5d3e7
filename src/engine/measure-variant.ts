import type { GPU } from 'gpu.js';
import { efficiencyOf, type Ceiling } from '../model/efficiency';
import { errorSummary } from '../model/errors';
import { formatBytes } from '../model/format';
import type { BackendSelection, Phase, Status, VariantResult } from '../model/report';
import { CancelledError, KernelRunner, type DeviceArray } from './kernels/runner';
import { buildVariantMap } from './maps';
import { checkRows, klDivergence, median, pickRows, relativeFrobenius } from './measure';
import { currentPlatform } from './platform';
import type { Qkv } from './qkv';
import type { WallClock } from './wall-clock';
import { variantById } from './variants/registry';
import type { PreparedVariant, VariantPlan } from './variants/variant';

/**
 * Warm-ups: at least one, more (up to `warmups`) while they have taken under a quarter of the
 * budget. Timed runs: at least minRuns; more, up to maxRuns, while within budgetMs and until their
 * spread settles (interquartile range within `settledSpread` of the median), when given.
 */
export interface TimingPolicy {
  warmups: number;
  minRuns: number;
  maxRuns: number;
  budgetMs: number;
  settledSpread?: number;
  /** Skip the warm-ups when the first call alone took longer than the budget (sweeps). */
  skipWarmupsWhenSlow?: boolean;
  /**
   * Collect garbage before each timed run, outside its timer (sweeps): a collection of the arrays
   * earlier runs left then never lands inside a timed run, where it would add to some lengths' times
   * and not others'.
   */
  collectBeforeEachRun?: boolean;
}

export interface MeasureInputs {
  qkv: Qkv;
  /** The second input set of the timed runs (the same arrays scaled by 1 + 2^-10). */
  alternate: Qkv;
  /** Rows the gate and the error figures compare. */
  rows: readonly number[];
  /** Exact attention on the checked rows, for the error figures (a sweep leaves them out). */
  exact?: ExactBaseline;
  selection: BackendSelection;
  timing: TimingPolicy;
  memoryBudgetBytes: number;
  gateTolerance: number;
  /** Largest map side; 0 leaves the map out. */
  mapSize: number;
  /** The backend's calibration ceiling, for the fraction of it each variant reaches. */
  ceiling?: Ceiling;
  clock: WallClock;
  shouldCancel: () => boolean;
  /** Called with the output O [n x d] of the first call, e.g. to dump it. */
  onOutput?: (output: Float32Array) => void;
  progress: (phase: Phase, extra?: { run?: number }) => void;
}

/** Exact softmax attention (float64) on the checked rows, computed once per run for the error figures. */
export class ExactBaseline {
  private output?: Float64Array;
  private readonly weights = new Map<number, Float64Array>();
  private readonly full: PreparedVariant;

  constructor(
    readonly qkv: Qkv,
    readonly causal: boolean,
    readonly rows: readonly number[],
    private readonly clock: WallClock,
  ) {
    this.full = variantById('full').prepare({ n: qkv.n, d: qkv.d, causal, seed: 0 });
  }

  outputRows(): Float64Array {
    this.output ??= this.clock.during('references', () => this.full.reference(this.qkv, this.rows));
    return this.output;
  }

  rowWeights(i: number): Float64Array {
    let w = this.weights.get(i);
    if (!w) {
      w = this.clock.during('references', () => this.full.rowWeights(this.qkv, i));
      this.weights.set(i, w);
    }
    return w;
  }

  /** Whether this baseline is the float64 reference of a variant (exact attention on the same inputs and rows). */
  isReferenceOf(prepared: PreparedVariant, qkv: Qkv, rows: readonly number[]): boolean {
    return prepared.variant.exactAttention === true && prepared.shape.causal === this.causal && qkv === this.qkv && sameRows(rows, this.rows);
  }
}

function sameRows(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** The fields of a result every status shares: what the variant is and what its cost model predicts. */
export function baseResult(prepared: PreparedVariant, backend: string, status: Status, reason?: string): VariantResult {
  const { variant, shape } = prepared;
  const cost = prepared.cost();
  return {
    id: variant.id,
    name: variant.name,
    family: variant.family,
    status,
    ...(reason ? { reason } : {}),
    params: { ...prepared.params },
    ...(prepared.directionNote ? { directionNote: prepared.directionNote } : {}),
    maskType: variant.maskType,
    attribution: variant.attribution,
    backend: { selected: backend, kernels: {}, fallbacks: [], warnings: [] },
    memory: { predictedBytes: cost.predictedBytes, weightBytes: prepared.weightBytes() },
    predictedFlops: cost.flops,
    nnz: cost.nnz,
    density: cost.nnz / (shape.n * shape.n),
  };
}

/** Why a variant cannot run in this context, or undefined. */
export function refusal(prepared: PreparedVariant, memoryBudgetBytes: number): string | undefined {
  const { variant, shape } = prepared;
  if (variant.directions === 'causal-only' && !shape.causal) return `${variant.id} is causal only; this run is bidirectional`;
  const needed = prepared.cost().predictedBytes + prepared.weightBytes();
  if (needed > memoryBudgetBytes) {
    return `would need ${formatBytes(needed)} of intermediates and weights at N = ${shape.n}; the memory budget is ${formatBytes(memoryBudgetBytes)}`;
  }
  return undefined;
}

/**
 * The measurement rules of DESIGN.md for one variant: first call (compile + run) timed apart;
 * correctness gate against the float64 reference on the same inputs; warm-ups; at least
 * `minRuns` timed runs alternating two input sets, more while within the time budget; the
 * read-back is inside each timed run. Memory: the runner's peak of live intermediates.
 */
export async function measureVariant(prepared: PreparedVariant, m: MeasureInputs): Promise<VariantResult> {
  const { selection, clock } = m;
  const refused = refusal(prepared, m.memoryBudgetBytes);
  if (refused) return baseResult(prepared, selection.selected, 'skipped', refused);
  const result = baseResult(prepared, selection.selected, 'ok');
  const { gpu, runner } = createRunner(selection, m.shouldCancel);
  const stopIfCancelled = () => {
    if (m.shouldCancel()) throw new CancelledError();
  };
  try {
    m.progress('compiling');
    clock.during('gc', () => currentPlatform().collectGarbage());
    const first = await firstCall(prepared, runner, m);
    m.onOutput?.(first.output.data);
    stopIfCancelled();
    result.check = clock.during('gate', () => gate(prepared, first.output, m));
    stopIfCancelled();
    if (m.exact) {
      const exact = m.exact;
      result.errorVsFull = clock.during('error', () => errorAgainstExact(prepared, m.qkv, exact, first.output.data));
    }
    stopIfCancelled();
    if (m.mapSize > 0) result.map = clock.during('maps', () => buildVariantMap(prepared, m.qkv, m.mapSize));
    m.progress('checked');
    if (!result.check.passed) {
      result.status = 'failed';
      result.reason = `output differs from the float64 reference on ${selection.selected}: relative error ${result.check.relError.toExponential(2)} > ${m.gateTolerance} (${m.rows.length} rows); not timed`;
      return result;
    }
    const timed = await timeRuns(first.plan, runner, m, first.ms);
    result.time = timed.time;
    result.memory = { ...result.memory, ...timed.memory };
    result.efficiency = efficiencyOf(result.predictedFlops, timed.time.medianMs, m.ceiling);
    return result;
  } catch (err) {
    if (err instanceof CancelledError) {
      result.status = 'cancelled';
      result.reason = 'the run was cancelled during this variant';
    } else if (isAllocationFailure(err)) {
      result.status = 'failed';
      result.reason = `${selection.selected}: out of memory while allocating the kernels' arrays (${errorSummary(err)}); the next variants still run. Lower N or d, or the memory budget so that such a variant is skipped before it allocates`;
    } else {
      result.status = 'failed';
      result.reason = `${selection.selected}: ${errorSummary(err)}`;
    }
    return result;
  } finally {
    result.backend = { selected: selection.selected, kernels: runner.kernelBackends(), fallbacks: runner.kernelFallbacks, warnings: runner.warnings.slice(0, 20) };
    runner.dispose();
    void gpu.destroy();
  }
}

/** The plan built and run once on the first input set (compile + one run), timed apart. */
async function firstCall(prepared: PreparedVariant, runner: KernelRunner, m: MeasureInputs): Promise<{ plan: VariantPlan; output: DeviceArray; ms: number }> {
  return m.clock.during('compile', async () => {
    const plan = prepared.plan(runner);
    const start = performance.now();
    const output = await plan.run(m.qkv);
    return { plan, output, ms: performance.now() - start };
  });
}

function createRunner(selection: BackendSelection, shouldCancel: () => boolean): { gpu: GPU; runner: KernelRunner } {
  const gpu = currentPlatform().createGpu(selection.selected);
  return { gpu, runner: new KernelRunner(gpu, selection.selected, shouldCancel, selection.threads) };
}

/** A later round's timed runs, or why there are none. */
export type RetimeResult = { time: NonNullable<VariantResult['time']>; measuredBytes: number } | { cancelled: true } | { failed: string };

/**
 * Times a variant once more, for a later round of a sweep: its kernels built anew, a first call
 * (not reported: the first round reported it), then warm-ups and timed runs under the same rules.
 * The output was checked against the float64 reference on the same inputs in the first round.
 */
export async function retimeVariant(prepared: PreparedVariant, m: MeasureInputs): Promise<RetimeResult> {
  const { gpu, runner } = createRunner(m.selection, m.shouldCancel);
  try {
    m.progress('compiling');
    m.clock.during('gc', () => currentPlatform().collectGarbage());
    const first = await firstCall(prepared, runner, m);
    const timed = await timeRuns(first.plan, runner, m, first.ms);
    return { time: timed.time, measuredBytes: timed.memory.measuredBytes };
  } catch (err) {
    return err instanceof CancelledError ? { cancelled: true } : { failed: `${m.selection.selected}: ${errorSummary(err)}` };
  } finally {
    runner.dispose();
    void gpu.destroy();
  }
}

/**
 * An allocation that failed (V8's array buffers live outside the heap the worker's resource limits
 * bound; a GPU may run out of buffer memory): the variant fails with that reason, the run goes on.
 */
function isAllocationFailure(err: unknown): boolean {
  return err instanceof RangeError || (err instanceof Error && /out of memory|allocation failed|OutOfMemory/iu.test(err.message));
}

/**
 * The correctness gate: the kernels' output against the float64 reference on the checked rows.
 * For exact attention (full, full-streaming) the reference is the run's exact baseline, computed once.
 */
function gate(prepared: PreparedVariant, output: DeviceArray, m: MeasureInputs): NonNullable<VariantResult['check']> {
  const reference = m.exact?.isReferenceOf(prepared, m.qkv, m.rows) ? m.exact.outputRows() : prepared.reference(m.qkv, m.rows);
  const relError = relativeFrobenius(pickRows(output.data, m.rows, prepared.shape.d), reference);
  return { rows: m.rows.length, relError, tolerance: m.gateTolerance, passed: relError <= m.gateTolerance };
}

/** The interquartile range of the samples over their median. */
export function relativeSpread(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  const mid = median(sorted);
  return mid > 0 ? (at(0.75) - at(0.25)) / mid : 0;
}

/** Warm-ups: one, then more (up to timing.warmups) while they stay under a quarter of the budget; none when the first call alone exceeded it and the policy says so. */
async function warmUp(plan: VariantPlan, m: MeasureInputs, firstCallMs: number): Promise<number> {
  const { timing } = m;
  if (timing.warmups === 0 || (timing.skipWarmupsWhenSlow && firstCallMs > timing.budgetMs)) return 0;
  const inputs = [m.alternate, m.qkv] as const;
  const start = performance.now();
  let warmups = 0;
  do {
    await plan.run(inputs[warmups % 2] ?? m.qkv);
    warmups++;
  } while (warmups < timing.warmups && performance.now() - start < timing.budgetMs / 4);
  return warmups;
}

/** Warm-ups, then the timed runs with the read-back inside, alternating the two input sets. */
async function timeRuns(
  plan: VariantPlan,
  runner: KernelRunner,
  m: MeasureInputs,
  firstCallMs: number,
): Promise<{ time: NonNullable<VariantResult['time']>; memory: { measuredBytes: number; processDeltaBytes?: number } }> {
  const { timing, clock } = m;
  const inputs = [m.alternate, m.qkv] as const;
  const warmups = await clock.during('warmups', () => warmUp(plan, m, firstCallMs));
  const platform = currentPlatform();
  clock.during('gc', () => platform.collectGarbage());
  const samples: number[] = [];
  let measuredBytes = 0;
  const baselineBytes = platform.arrayBufferBytes();
  let processPeak = baselineBytes ?? 0;
  const budgetStart = performance.now();
  const wantsMore = () => {
    if (samples.length < timing.minRuns) return true;
    if (samples.length >= timing.maxRuns || performance.now() - budgetStart >= timing.budgetMs) return false;
    return timing.settledSpread === undefined || relativeSpread(samples) > timing.settledSpread;
  };
  await clock.during('timed', async () => {
    while (wantsMore()) {
      if (timing.collectBeforeEachRun) clock.during('gc', () => platform.collectGarbage());
      runner.resetMemory();
      const t = performance.now();
      await plan.run(inputs[samples.length % 2] ?? m.qkv);
      samples.push(performance.now() - t);
      measuredBytes = Math.max(measuredBytes, runner.peakBytes);
      processPeak = Math.max(processPeak, platform.arrayBufferBytes() ?? 0);
      m.progress('timing', { run: samples.length });
    }
  });
  return {
    time: { firstCallMs, medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples), runs: samples.length, warmups, samplesMs: samples },
    memory: { measuredBytes, ...(baselineBytes === undefined ? {} : { processDeltaBytes: Math.max(0, processPeak - baselineBytes) }) },
  };
}

function errorAgainstExact(prepared: PreparedVariant, qkv: Qkv, exact: ExactBaseline, output: Float32Array): VariantResult['errorVsFull'] {
  const rows = exact.rows;
  const relFrobenius = relativeFrobenius(pickRows(output, rows, prepared.shape.d), exact.outputRows());
  if (!prepared.variant.weightsAreDistribution) return { relFrobenius, rows: rows.length };
  // KL of the attention rows on at most 128 of the checked rows (each costs O(N d)).
  const klRows = rows.length <= 128 ? rows : checkRows(prepared.shape.n, 128);
  let total = 0;
  let counted = 0;
  for (const i of klRows) {
    const p = prepared.rowWeights(qkv, i);
    let mass = 0;
    for (const x of p) mass += x;
    if (mass <= 0) continue;
    total += klDivergence(p, exact.rowWeights(i));
    counted++;
  }
  return { relFrobenius, rows: rows.length, ...(counted > 0 ? { meanKl: total / counted } : {}) };
}
