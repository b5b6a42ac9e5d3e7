import { availableThreads, selectBackend, type BackendChoice } from './backends';
import { environmentInfo } from './environment';
import { UserError } from './errors';
import { checkRows } from './measure';
import { resolveParams, type ParamValue } from './params';
import { DEFAULT_SETTINGS, LIMITS, checkSettingsRange, measureVariant } from './profile';
import { alternateQkv, syntheticQkv } from './qkv';
import type { SweepPoint, SweepReport, VariantResult } from './report';
import { SWEEP_TIMING, summarizeSweep, type SweepMeta } from './sweep-summary';
import type { Token } from './tokens';
import { variantById } from './variants/registry';
import { TOOL_VERSION } from './version';
import type { VariantContext, VariantId } from './variants/types';

export { SWEEP_TIMING } from './sweep-summary';

export { DEFAULT_SWEEP_LENGTHS, parseLengths } from './sweep-defaults';

export interface SweepRequest {
  variants: VariantId[];
  lengths: number[];
  backend: BackendChoice;
  d: number;
  seed: number;
  causal: boolean;
  /** Parameters the user fixed; the others take their defaults at each length. */
  params: Partial<Record<VariantId, Record<string, ParamValue>>>;
  /** Tokens cycled to each length; synthetic ids when absent. */
  tokens?: readonly Token[];
  memoryBudgetBytes: number;
  /** A point past this many ms stops at the minimum of 3 timed runs. */
  pointBudgetMs: number;
  /** webasm threads (gpu.js worker pool); 1 runs on the calling thread. */
  threads: number;
}

export function sweepVariantNames(ids: readonly VariantId[]): SweepMeta['variants'] {
  return ids.map((id) => ({ id, name: variantById(id).name, family: variantById(id).family }));
}

export type SweepProgress =
  | { kind: 'start'; meta: SweepMeta }
  | { kind: 'point'; id: VariantId; n: number; point: number; total: number; phase: 'compiling' | 'checked' | 'timing' | 'done'; run?: number; status?: string };

export interface SweepHooks {
  onProgress?(event: SweepProgress): void;
  shouldCancel?(): boolean;
  /** Each point as it is measured, so that a front end can draw it before the sweep ends. */
  onPoint?(id: VariantId, point: SweepPoint): void;
}

/** The sweep's tokens at length n: the given ones cycled, or deterministic synthetic ids. */
function tokensAt(base: readonly Token[] | undefined, n: number): Token[] {
  if (base && base.length > 0) return Array.from({ length: n }, (_, i) => base[i % base.length] as Token);
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
  checkSettingsRange('d', request.d, LIMITS.dMin, LIMITS.dMax);
  if (request.lengths.length === 0) throw new UserError('the list of lengths is empty');
  for (const id of Object.keys(request.params)) {
    if (!request.variants.includes(id as VariantId)) throw new UserError(`parameters were given for ${id}, which is not among the variants to sweep`);
  }
  // Check the given parameters at every length before measuring anything.
  for (const id of request.variants) for (const n of request.lengths) resolveParams(id, variantById(id).params, request.params[id] ?? {}, n);
  checkSettingsRange('threads', request.threads, 1, availableThreads());
  const selection = await selectBackend(request.backend, request.threads);
  const meta: SweepMeta = {
    lengths: request.lengths,
    d: request.d,
    seed: request.seed,
    causal: request.causal,
    tokens: request.tokens && request.tokens.length > 0 ? `the input's ${request.tokens.length} tokens, cycled to each length` : 'synthetic token ids',
    pointBudgetMs: request.pointBudgetMs,
    memoryBudgetBytes: request.memoryBudgetBytes,
    backend: { requested: selection.requested, selected: selection.selected, device: selection.device, threads: selection.threads, probes: selection.probes },
    givenParams: request.params,
    variants: sweepVariantNames(request.variants),
    environment: environmentInfo(),
    tool: { name: 'attention-profiler', version: TOOL_VERSION },
  };
  hooks.onProgress?.({ kind: 'start', meta });

  const total = request.variants.length * request.lengths.length;
  const points = new Map<VariantId, SweepPoint[]>(request.variants.map((id) => [id, []]));
  let cancelled = false;
  let done = 0;
  for (const n of request.lengths) {
    const qkv = syntheticQkv(tokensAt(request.tokens, n), request.d, request.seed);
    const alternate = alternateQkv(qkv);
    const rows = checkRows(n, DEFAULT_SETTINGS.checkRowLimit);
    for (const id of request.variants) {
      const variant = variantById(id);
      const ctx: VariantContext = { n, d: request.d, causal: request.causal, seed: request.seed, params: resolveParams(id, variant.params, request.params[id] ?? {}, n) };
      const index = done++;
      let result: VariantResult;
      if (cancelled || hooks.shouldCancel?.()) {
        cancelled = true;
        result = { ...(await skippedResult(id, ctx)), status: 'cancelled', reason: 'the sweep was cancelled before this point' };
      } else {
        result = await measureVariant(variant, ctx, {
          qkv,
          alternate,
          rows,
          selection,
          timing: { ...SWEEP_TIMING, budgetMs: request.pointBudgetMs, skipWarmupsWhenSlow: true },
          memoryBudgetBytes: request.memoryBudgetBytes,
          gateTolerance: DEFAULT_SETTINGS.gateTolerance,
          mapSize: 0,
          hooks: { shouldCancel: hooks.shouldCancel },
          progress: (phase, extra) => hooks.onProgress?.({ kind: 'point', id, n, point: index, total, phase, ...extra }),
        });
        if (result.status === 'cancelled') cancelled = true;
      }
      const point = toPoint(n, result);
      points.get(id)?.push(point);
      hooks.onPoint?.(id, point);
      hooks.onProgress?.({ kind: 'point', id, n, point: index, total, phase: 'done', status: point.status });
    }
  }

  return summarizeSweep(meta, points, cancelled);
}

async function skippedResult(id: VariantId, ctx: VariantContext): Promise<VariantResult> {
  const variant = variantById(id);
  const cost = variant.cost(ctx);
  return {
    id,
    name: variant.name,
    family: variant.family,
    status: 'skipped',
    params: { ...ctx.params },
    maskType: variant.maskType,
    attribution: variant.attribution,
    backend: { selected: '', kernels: {}, fallbacks: [], warnings: [] },
    memory: { predictedBytes: cost.predictedBytes, weightBytes: variant.weightBytes?.(ctx) ?? 0 },
    predictedFlops: cost.flops,
    nnz: cost.nnz,
    density: cost.nnz / (ctx.n * ctx.n),
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
