import { EngineError, type SettingName } from '../model/errors';
import { LIMITS } from '../model/limits';
import type { ParamValue } from '../model/params';
import { REPORT_SCHEMA_ID, REPORT_VERSION, type Phase, type ProfileReport, type ProgressEvent, type Status, type VariantResult } from '../model/report';
import type { GivenParams, RunSettings } from '../model/settings';
import type { VariantId } from '../model/variant-ids';
import { TOOL_VERSION } from '../model/version';
import { selectBackend } from './backends';
import { backendCeiling } from './calibration';
import { checkRows } from './measure';
import { baseResult, ExactBaseline, measureVariant } from './measure-variant';
import { currentPlatform } from './platform';
import { alternateQkv, syntheticQkv, type Qkv } from './qkv';
import { parseIdList, tokenizeText, tokensFromIds, type Token } from './tokens';
import { variantById } from './variants/registry';
import type { PreparedVariant, RunShape } from './variants/variant';
import { WallClock } from './wall-clock';

/**
 * What to profile: text to tokenize, token ids, tokens a host already made from text or ids (the
 * view's GPU lane has no tokenizer), or the user's own Q, K, V.
 */
export type InputSpec =
  | { kind: 'text'; text: string; source: string }
  | { kind: 'ids'; ids: string }
  | { kind: 'tokens'; tokens: readonly Token[]; from: 'text' | 'ids'; source: string }
  | { kind: 'qkv'; qkv: Qkv; source: string };

export interface ProfileRequest extends RunSettings {
  input: InputSpec;
}

export interface ProfileHooks {
  onProgress?(event: ProgressEvent): void;
  shouldCancel?(): boolean;
  /** Called with each variant's output O [n x d] on the first input set, e.g. to dump it. */
  onOutput?(id: VariantId, output: Float32Array, n: number, d: number): void;
}

interface PreparedInput {
  qkv: Qkv;
  info: ProfileReport['input'];
}

/** An integer setting within its range, or an error naming the setting. */
export function checkSetting(setting: SettingName, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new EngineError({ code: 'setting-range', setting, value, min, max });
}

/** Tokens -> Q, K, V (or the user's arrays), with every input error named. */
export function prepareInput(request: Pick<ProfileRequest, 'input' | 'd' | 'seed' | 'causal' | 'maxTokens' | 'tokenizer'>): PreparedInput {
  const { input, d, seed, causal, tokenizer } = request;
  checkSetting('d', d, LIMITS.minD, LIMITS.maxD);
  if (input.kind === 'qkv') {
    checkSetting('d', input.qkv.d, LIMITS.minD, LIMITS.maxD);
    checkTokenCount(input.qkv.n, request.maxTokens);
    return { qkv: input.qkv, info: { kind: 'qkv', source: input.source, n: input.qkv.n, d: input.qkv.d, seed, causal, qkv: 'npy' } };
  }
  // Tokenizers stop one token past the limit: a huge input is refused without being read whole.
  const tokens =
    input.kind === 'tokens'
      ? input.tokens
      : input.kind === 'text'
        ? tokenizeText(input.text, tokenizer, request.maxTokens)
        : tokensFromIds(parseIdList(input.ids, request.maxTokens), tokenizer);
  checkTokenCount(tokens.length, request.maxTokens);
  return {
    qkv: syntheticQkv(tokens, d, seed),
    info: {
      kind: input.kind === 'tokens' ? input.from : input.kind,
      source: input.kind === 'ids' ? 'ids' : input.source,
      tokenizer,
      n: tokens.length,
      d,
      seed,
      causal,
      qkv: 'synthetic',
      tokens: tokens.map((t: Token) => ({ id: t.id, text: t.text })),
    },
  };
}

function checkTokenCount(n: number, maxTokens: number): void {
  if (n === 0) throw new EngineError({ code: 'input', message: 'the input has no tokens' });
  if (n > maxTokens) throw new EngineError({ code: 'too-many-tokens', count: n, limit: maxTokens, hardLimit: LIMITS.maxTokens });
}

/**
 * Every requested variant prepared for every length, before anything runs, so that a bad
 * parameter (or one given for a variant not asked for) stops the run early.
 */
export function prepareVariants(variants: readonly VariantId[], params: GivenParams, shapes: readonly RunShape[]): Map<VariantId, PreparedVariant[]> {
  for (const id of Object.keys(params)) {
    if (!(variants as readonly string[]).includes(id)) throw new EngineError({ code: 'params-for-unselected', variant: id });
  }
  const given = (id: VariantId): Readonly<Record<string, ParamValue>> => params[id] ?? {};
  return new Map(variants.map((id) => [id, shapes.map((shape) => variantById(id).prepare(shape, given(id)))]));
}

export async function profile(request: ProfileRequest, hooks: ProfileHooks = {}): Promise<ProfileReport> {
  const clock = new WallClock();
  checkSetting('repeats', request.repeats, LIMITS.minRepeats, LIMITS.maxRepeats);
  const prepared = clock.during('input', () => prepareInput(request));
  const { qkv } = prepared;
  const shape: RunShape = { n: qkv.n, d: qkv.d, causal: request.causal, seed: request.seed };
  const variants = prepareVariants(request.variants, request.params, [shape]);
  checkSetting('threads', request.threads, 1, currentPlatform().availableThreads());
  const selection = await clock.during('probes', () => selectBackend(request.backend, request.threads, request.auto));
  hooks.onProgress?.({ kind: 'start', variants: request.variants, n: qkv.n, backend: selection.selected });

  const shouldCancel = () => hooks.shouldCancel?.() ?? false;
  const calibration = await clock.during('calibration', () => backendCeiling(selection, { recalibrate: request.recalibrate, shouldCancel }));
  const { alternate, rows, exact } = clock.during('input', () => {
    const checked = checkRows(qkv.n, request.checkRowLimit);
    return { alternate: alternateQkv(qkv), rows: checked, exact: new ExactBaseline(qkv, request.causal, checked, clock) };
  });
  const results: VariantResult[] = [];
  let cancelled = false;
  for (const [index, id] of request.variants.entries()) {
    const variant = variants.get(id)?.[0];
    if (!variant) throw new Error(`variant ${id} was not prepared`);
    const progress = (phase: Phase, extra: { run?: number; status?: Status } = {}) =>
      hooks.onProgress?.({ kind: 'variant', id, index, total: request.variants.length, phase, ...extra });
    if (cancelled || shouldCancel()) {
      cancelled = true;
      results.push(baseResult(variant, selection.selected, 'cancelled', 'the run was cancelled before this variant'));
      continue;
    }
    clock.forVariant(id);
    const result = await measureVariant(variant, {
      qkv,
      alternate,
      rows,
      exact,
      selection,
      timing: { warmups: request.warmups, minRuns: request.repeats, maxRuns: LIMITS.maxTimedRuns, budgetMs: request.timeBudgetMs },
      memoryBudgetBytes: request.memoryBudgetBytes,
      gateTolerance: request.gateTolerance,
      mapSize: request.mapSize,
      ceiling: calibration.ceiling,
      clock,
      shouldCancel,
      onOutput: (output) => hooks.onOutput?.(id, output, qkv.n, qkv.d),
      progress,
    });
    clock.forVariant(undefined);
    const wallMs = clock.variantPhases(id);
    if (wallMs) result.wallMs = wallMs;
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
    environment: currentPlatform().environment(),
    backend: selection,
    input: prepared.info,
    settings: {
      repeats: request.repeats,
      warmups: request.warmups,
      timeBudgetMs: request.timeBudgetMs,
      memoryBudgetBytes: request.memoryBudgetBytes,
      gateTolerance: request.gateTolerance,
      checkedRows: rows.length,
    },
    ...(calibration.ceiling ? { ceiling: calibration.ceiling } : {}),
    ...(calibration.note ? { ceilingNote: calibration.note } : {}),
    wallTime: clock.summary(),
    variants: results,
  };
}
