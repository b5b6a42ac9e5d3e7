import { availableThreads, createGpu, selectBackend, type BackendChoice, type BackendSelection } from './backends';
import { UserError, errorMessage } from './errors';
import { collectGarbage } from './gc';
import { CancelledError, KernelRunner } from './kernels/runner';
import { buildVariantMap, type VariantMap } from './maps';
import { checkRows, formatBytes, klDivergence, median, pickRows, relativeFrobenius } from './measure';
import { resolveParams, type ParamValue } from './params';
import { alternateQkv, syntheticQkv, type Qkv } from './qkv';
import { REPORT_SCHEMA_ID, REPORT_VERSION, type ProfileReport, type VariantResult } from './report';
import { parseIdList, tokenizeText, tokensFromIds, type Token, type TokenizerName } from './tokens';
import { variantById } from './variants/registry';
import type { Variant, VariantContext, VariantId } from './variants/types';
import { environmentInfo } from './environment';
import { TOOL_VERSION } from './version';

export const LIMITS = {
  maxTokensHard: 65536,
  maxTokensDefault: 16384,
  dMin: 1,
  dMax: 512,
  repeatsMin: 5,
  repeatsMax: 1000,
  /** Timed runs stop here even inside the time budget. */
  maxTimedRuns: 50,
} as const;

export type InputSpec =
  | { kind: 'text'; text: string; tokenizer: TokenizerName; source: string }
  | { kind: 'ids'; ids: string; tokenizer: TokenizerName }
  | { kind: 'qkv'; qkv: Qkv; source: string };

export interface ProfileRequest {
  input: InputSpec;
  variants: VariantId[];
  backend: BackendChoice;
  d: number;
  seed: number;
  causal: boolean;
  params: Partial<Record<VariantId, Record<string, ParamValue>>>;
  repeats: number;
  warmups: number;
  timeBudgetMs: number;
  memoryBudgetBytes: number;
  maxTokens: number;
  /** Largest map side in the report; 0 leaves maps out. */
  mapSize: number;
  /** Rows compared against the float64 references (all rows up to this many). */
  checkRowLimit: number;
  gateTolerance: number;
  /** webasm threads (gpu.js worker pool); 1 runs on the calling thread. */
  threads: number;
}

export const DEFAULT_SETTINGS = {
  d: 64,
  seed: 1,
  causal: true,
  repeats: 5,
  warmups: 2,
  timeBudgetMs: 1000,
  memoryBudgetBytes: 2 * 1024 ** 3,
  maxTokens: LIMITS.maxTokensDefault,
  mapSize: 0,
  checkRowLimit: 512,
  gateTolerance: 1e-4,
  threads: 1,
} as const;

export type ProgressEvent =
  | { kind: 'start'; variants: VariantId[]; n: number; backend: string }
  | { kind: 'variant'; id: VariantId; index: number; total: number; phase: 'compiling' | 'checked' | 'timing' | 'done'; run?: number; status?: VariantResult['status'] };

export interface ProfileHooks {
  onProgress?(event: ProgressEvent): void;
  shouldCancel?(): boolean;
  /** Called with each variant's output O [n x d] on the first input set, e.g. to dump it. */
  onOutput?(id: VariantId, output: Float32Array, n: number, d: number): void;
  /** Receives each variant's map (when mapSize > 0) instead of the report carrying it as numbers. */
  onMap?(id: VariantId, map: VariantMap): void;
}

interface PreparedInput {
  qkv: Qkv;
  tokens?: Token[];
  info: ProfileReport['input'];
}

/** Tokens -> Q, K, V (or the user's arrays), with every input error named. */
export function prepareInput(request: Pick<ProfileRequest, 'input' | 'd' | 'seed' | 'causal' | 'maxTokens'>): PreparedInput {
  const { input, d, seed, causal } = request;
  checkSettingsRange('d', d, LIMITS.dMin, LIMITS.dMax);
  if (input.kind === 'qkv') {
    checkTokenCount(input.qkv.n, request.maxTokens);
    return {
      qkv: input.qkv,
      info: { kind: 'qkv', source: input.source, n: input.qkv.n, d: input.qkv.d, seed, causal, qkv: 'npy' },
    };
  }
  const tokens = input.kind === 'text' ? tokenizeText(input.text, input.tokenizer) : tokensFromIds(parseIdList(input.ids), input.tokenizer);
  checkTokenCount(tokens.length, request.maxTokens);
  return {
    qkv: syntheticQkv(tokens, d, seed),
    tokens,
    info: {
      kind: input.kind,
      source: input.kind === 'text' ? input.source : 'ids',
      tokenizer: input.tokenizer,
      n: tokens.length,
      d,
      seed,
      causal,
      qkv: 'synthetic',
      tokens: tokens.map((t) => ({ id: t.id, text: t.text })),
    },
  };
}

function checkTokenCount(n: number, maxTokens: number): void {
  if (n === 0) throw new UserError('the input has no tokens');
  if (n > maxTokens) {
    throw new UserError(`the input has ${n} tokens; the limit is ${maxTokens} (raise it with --max-tokens in the CLI or the attentionProfiler.maxTokens setting, up to ${LIMITS.maxTokensHard})`);
  }
}

export function checkSettingsRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new UserError(`--${name} ${value} is out of range: ${min} <= ${name} <= ${max}`);
}

/** Resolves every requested variant's parameters before anything runs, so a bad one stops the run early. */
export function resolveAllParams(request: Pick<ProfileRequest, 'variants' | 'params'>, n: number): Map<VariantId, Record<string, ParamValue>> {
  for (const id of Object.keys(request.params)) {
    if (!request.variants.includes(id as VariantId)) {
      throw new UserError(`parameters were given for ${id}, which is not among the variants to run`);
    }
  }
  const out = new Map<VariantId, Record<string, ParamValue>>();
  for (const id of request.variants) out.set(id, resolveParams(id, variantById(id).params, request.params[id] ?? {}, n));
  return out;
}

export async function profile(request: ProfileRequest, hooks: ProfileHooks = {}): Promise<ProfileReport> {
  checkSettingsRange('repeats', request.repeats, LIMITS.repeatsMin, LIMITS.repeatsMax);
  const prepared = prepareInput(request);
  const { qkv } = prepared;
  const params = resolveAllParams(request, qkv.n);
  checkSettingsRange('threads', request.threads, 1, availableThreads());
  const selection = await selectBackend(request.backend, request.threads);
  hooks.onProgress?.({ kind: 'start', variants: request.variants, n: qkv.n, backend: selection.selected });

  const alternate = alternateQkv(qkv);
  const rows = checkRows(qkv.n, request.checkRowLimit);
  const exact = new ExactBaseline(qkv, request.causal, rows);
  const results: VariantResult[] = [];
  let cancelled = false;
  for (const [index, id] of request.variants.entries()) {
    const variant = variantById(id);
    const ctx: VariantContext = { n: qkv.n, d: qkv.d, causal: request.causal, seed: request.seed, params: params.get(id) ?? {} };
    if (cancelled || hooks.shouldCancel?.()) {
      cancelled = true;
      results.push(baseResult(variant, ctx, selection, 'cancelled', 'the run was cancelled before this variant'));
      continue;
    }
    const progress = (phase: 'compiling' | 'checked' | 'timing' | 'done', extra: { run?: number; status?: VariantResult['status'] } = {}) =>
      hooks.onProgress?.({ kind: 'variant', id, index, total: request.variants.length, phase, ...extra });
    const result = await measureVariant(variant, ctx, {
      qkv,
      alternate,
      rows,
      exact,
      selection,
      timing: { warmups: request.warmups, minRuns: request.repeats, maxRuns: LIMITS.maxTimedRuns, budgetMs: request.timeBudgetMs },
      memoryBudgetBytes: request.memoryBudgetBytes,
      gateTolerance: request.gateTolerance,
      mapSize: request.mapSize,
      hooks,
      progress,
    });
    if (result.status === 'cancelled') cancelled = true;
    results.push(result);
    progress('done', { status: result.status });
  }
  return {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    cancelled,
    tool: { name: 'attention-profiler', version: TOOL_VERSION },
    environment: environmentInfo(),
    backend: { requested: selection.requested, selected: selection.selected, device: selection.device, threads: selection.threads, probes: selection.probes },
    input: prepared.info,
    settings: {
      repeats: request.repeats,
      warmups: request.warmups,
      timeBudgetMs: request.timeBudgetMs,
      memoryBudgetBytes: request.memoryBudgetBytes,
      gateTolerance: request.gateTolerance,
      checkedRows: rows.length,
    },
    variants: results,
  };
}

/** Exact softmax attention (float64) on the checked rows, computed once per run for the error figures. */
export class ExactBaseline {
  private output?: Float64Array;
  private readonly weights = new Map<number, Float64Array>();
  private readonly ctx: VariantContext;

  constructor(
    private readonly qkv: Qkv,
    causal: boolean,
    readonly rows: readonly number[],
  ) {
    this.ctx = { n: qkv.n, d: qkv.d, causal, seed: 0, params: {} };
  }

  outputRows(): Float64Array {
    this.output ??= variantById('full').reference(this.ctx, this.qkv, this.rows);
    return this.output;
  }

  rowWeights(i: number): Float64Array {
    let w = this.weights.get(i);
    if (!w) {
      w = variantById('full').rowWeights(this.ctx, this.qkv, i);
      this.weights.set(i, w);
    }
    return w;
  }
}

/** How many timed runs: at least minRuns; more, up to maxRuns, while within budgetMs. */
export interface TimingPolicy {
  warmups: number;
  minRuns: number;
  maxRuns: number;
  budgetMs: number;
  /** Skip the warm-ups when the first call alone took longer than the budget (sweeps). */
  skipWarmupsWhenSlow?: boolean;
}

export interface MeasureInputs {
  qkv: Qkv;
  alternate: Qkv;
  rows: readonly number[];
  /** Exact attention on the checked rows, for the error figures (a sweep leaves them out). */
  exact?: ExactBaseline;
  selection: BackendSelection;
  timing: TimingPolicy;
  memoryBudgetBytes: number;
  gateTolerance: number;
  mapSize: number;
  hooks: ProfileHooks;
  progress: (phase: 'compiling' | 'checked' | 'timing' | 'done', extra?: { run?: number }) => void;
}

function baseResult(variant: Variant, ctx: VariantContext, selection: BackendSelection, status: VariantResult['status'], reason?: string): VariantResult {
  const cost = variant.cost(ctx);
  return {
    id: variant.id,
    name: variant.name,
    family: variant.family,
    status,
    ...(reason ? { reason } : {}),
    params: { ...ctx.params },
    ...(variant.directionNote(ctx.causal) ? { directionNote: variant.directionNote(ctx.causal) } : {}),
    maskType: variant.maskType,
    attribution: variant.attribution,
    backend: { selected: selection.selected, kernels: {}, fallbacks: [], warnings: [] },
    memory: { predictedBytes: cost.predictedBytes, weightBytes: variant.weightBytes?.(ctx) ?? 0 },
    predictedFlops: cost.flops,
    nnz: cost.nnz,
    density: cost.nnz / (ctx.n * ctx.n),
  };
}

/** Why a variant cannot run in this context, or undefined. */
export function refusal(variant: Variant, ctx: VariantContext, memoryBudgetBytes: number): string | undefined {
  if (variant.directions === 'causal-only' && !ctx.causal) return `${variant.id} is causal only; run it with --causal`;
  const cost = variant.cost(ctx);
  const needed = cost.predictedBytes + (variant.weightBytes?.(ctx) ?? 0);
  if (needed > memoryBudgetBytes) {
    return `would need ${formatBytes(needed)} of intermediates and weights at N = ${ctx.n}; the memory budget is ${formatBytes(memoryBudgetBytes)}`;
  }
  return undefined;
}

/**
 * The measurement rules of DESIGN.md for one variant: first call (compile + run) timed apart;
 * correctness gate against the float64 reference on the same inputs; warm-ups; at least
 * `repeats` timed runs alternating two input sets, more while within the time budget; the
 * read-back is inside each timed run. Memory: the runner's peak of live intermediates.
 */
export async function measureVariant(variant: Variant, ctx: VariantContext, m: MeasureInputs): Promise<VariantResult> {
  const { selection, timing } = m;
  const refused = refusal(variant, ctx, m.memoryBudgetBytes);
  if (refused) return baseResult(variant, ctx, selection, 'skipped', refused);
  const result = baseResult(variant, ctx, selection, 'ok');
  const runner = new KernelRunner(createGpu(selection.selected), selection.selected, () => m.hooks.shouldCancel?.() ?? false, selection.threads);
  try {
    m.progress('compiling');
    collectGarbage();
    const plan = variant.plan(ctx, runner);
    const firstStart = performance.now();
    const firstOut = await plan.run(m.qkv);
    const firstCallMs = performance.now() - firstStart;
    m.hooks.onOutput?.(variant.id, firstOut.data, ctx.n, ctx.d);

    const stopIfCancelled = () => {
      if (m.hooks.shouldCancel?.()) throw new CancelledError();
    };
    stopIfCancelled();
    const relError = relativeFrobenius(pickRows(firstOut.data, m.rows, ctx.d), variant.reference(ctx, m.qkv, m.rows));
    result.check = { rows: m.rows.length, relError, tolerance: m.gateTolerance, passed: relError <= m.gateTolerance };
    stopIfCancelled();
    if (m.exact) result.errorVsFull = errorAgainstFull(variant, ctx, m.qkv, m.exact, firstOut.data);
    stopIfCancelled();
    if (m.mapSize > 0) {
      const map = buildVariantMap(variant, ctx, m.qkv, m.mapSize);
      if (m.hooks.onMap) m.hooks.onMap(variant.id, map);
      else result.map = toReportMap(map);
    }
    m.progress('checked');
    if (!result.check.passed) {
      result.status = 'failed';
      result.reason = `output differs from the float64 reference on ${selection.selected}: relative error ${relError.toExponential(2)} > ${m.gateTolerance} (${m.rows.length} rows); not timed`;
      return result;
    }

    const inputs = [m.alternate, m.qkv];
    const warmups = timing.skipWarmupsWhenSlow && firstCallMs > timing.budgetMs ? 0 : timing.warmups;
    for (let w = 0; w < warmups; w++) await plan.run(inputs[w % 2] as Qkv);
    collectGarbage();
    const samples: number[] = [];
    let measuredBytes = 0;
    const baselineBytes = process.memoryUsage().arrayBuffers;
    let processPeak = baselineBytes;
    const budgetStart = performance.now();
    while (samples.length < timing.minRuns || (samples.length < timing.maxRuns && performance.now() - budgetStart < timing.budgetMs)) {
      const x = inputs[samples.length % 2] as Qkv;
      runner.resetMemory();
      const t = performance.now();
      await plan.run(x);
      samples.push(performance.now() - t);
      measuredBytes = Math.max(measuredBytes, runner.peakBytes);
      processPeak = Math.max(processPeak, process.memoryUsage().arrayBuffers);
      m.progress('timing', { run: samples.length });
    }
    result.time = {
      firstCallMs,
      medianMs: median(samples),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
      runs: samples.length,
      warmups,
      samplesMs: samples,
    };
    result.memory = { ...result.memory, measuredBytes, processDeltaBytes: Math.max(0, processPeak - baselineBytes) };
    return result;
  } catch (err) {
    if (err instanceof CancelledError) {
      result.status = 'cancelled';
      result.reason = 'the run was cancelled during this variant';
    } else {
      result.status = 'failed';
      result.reason = `${selection.selected}: ${errorMessage(err).split('\n')[0]}`;
    }
    return result;
  } finally {
    result.backend = { selected: selection.selected, kernels: runner.kernelBackends(), fallbacks: runner.kernelFallbacks, warnings: runner.warnings.slice(0, 20) };
    runner.dispose();
  }
}

function errorAgainstFull(variant: Variant, ctx: VariantContext, qkv: Qkv, exact: ExactBaseline, output: Float32Array): VariantResult['errorVsFull'] {
  const rows = exact.rows;
  const relFrobenius = relativeFrobenius(pickRows(output, rows, ctx.d), exact.outputRows());
  if (!variant.weightsAreDistribution) return { relFrobenius, rows: rows.length };
  // KL of the attention rows on at most 128 of the checked rows (each costs O(N d)).
  const klRows = rows.length <= 128 ? rows : checkRows(ctx.n, 128);
  let total = 0;
  let counted = 0;
  for (const i of klRows) {
    const p = variant.rowWeights(ctx, qkv, i);
    let mass = 0;
    for (const x of p) mass += x;
    if (mass <= 0) continue;
    total += klDivergence(p, exact.rowWeights(i));
    counted++;
  }
  return { relFrobenius, rows: rows.length, ...(counted > 0 ? { meanKl: total / counted } : {}) };
}

function toReportMap(map: ReturnType<typeof buildVariantMap>): NonNullable<VariantResult['map']> {
  return { kind: map.kind, rows: map.rows, cols: map.cols, sourceRows: map.sourceRows, sourceCols: map.sourceCols, rowQuery: map.rowQuery, values: Array.from(map.values) };
}

