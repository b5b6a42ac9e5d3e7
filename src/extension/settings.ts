import * as os from 'node:os';
import * as vscode from 'vscode';
import { DEFAULTS, MIB, SETTING_DEFAULTS, capMemoryBudgetMiB, overMachineMemory } from '../model/limits';
import { parseLengths } from '../model/sweep';
import type { z } from 'zod';
import { runSettingsSchema, sweepSettingsSchema, type RunSettings, type SweepSettings } from '../model/settings';
import type { TokenizerName } from '../model/tokenizers';
import { VARIANT_IDS } from '../model/variant-ids';
import { validate } from '../model/validation';
import { SECTION } from './wording';

/** Settings read and checked; `notes` say what was changed on the way (a budget lowered to the machine's memory). */
type Read<T> = { ok: true; settings: T; notes: string[] } | { ok: false; error: string };

/**
 * The memory budget setting, held to the machine's memory (os.totalmem), as the CLI holds
 * --memory-budget-mib; the note says why it was lowered. A value that is not a number is left to
 * the settings' validation, which names it.
 */
function memoryBudget(c: vscode.WorkspaceConfiguration): { bytes: unknown; notes: string[] } {
  const mib = c.get<unknown>('memoryBudgetMiB', SETTING_DEFAULTS.memoryBudgetMiB);
  if (typeof mib !== 'number') return { bytes: mib, notes: [] };
  const { mib: used, capped } = capMemoryBudgetMiB(mib, os.totalmem());
  if (!capped) return { bytes: mib * MIB, notes: [] };
  return {
    bytes: used * MIB,
    notes: [`Setting ${SECTION}.memoryBudgetMiB = ${capped.requestedMiB} is ${overMachineMemory(capped.machineMiB)} MiB: runs use ${used} MiB.`],
  };
}

/** The settings a run and a sweep share, read from VS Code (not yet validated). */
function measureSettings(tokenizer: TokenizerName) {
  const c = vscode.workspace.getConfiguration(SECTION);
  const budget = memoryBudget(c);
  const params: Record<string, unknown> = {};
  for (const id of VARIANT_IDS) {
    const given = c.get<unknown>(`params.${id}`);
    if (given && typeof given === 'object' && Object.keys(given).length > 0) params[id] = given;
  }
  return {
    backend: c.get('backend', SETTING_DEFAULTS.backend),
    d: c.get('headDim', SETTING_DEFAULTS.d),
    seed: c.get('seed', SETTING_DEFAULTS.seed),
    causal: c.get('causal', SETTING_DEFAULTS.causal),
    tokenizer,
    memoryBudgetBytes: budget.bytes,
    variants: c.get<string[]>('variants', [...VARIANT_IDS]),
    params,
    threads: c.get('threads', SETTING_DEFAULTS.threads),
    gateTolerance: DEFAULTS.gateTolerance,
    notes: budget.notes,
  };
}

/** The VS Code setting a validation error is about. */
const SETTING_OF_FIELD: Record<string, string> = { d: 'headDim', memoryBudgetBytes: 'memoryBudgetMiB', pointBudgetMs: 'sweepPointBudgetMs', lengths: 'sweepLengths' };

function checked<T>(schema: z.ZodType<T>, { notes, ...candidate }: { notes: string[] } & Record<string, unknown>): Read<T> {
  const parsed = validate(schema, candidate);
  if (parsed.ok) return { ok: true, settings: parsed.value, notes };
  const field = parsed.error.split(':')[0]?.split('.')[0] ?? '';
  return { ok: false, error: `Setting ${SECTION}.${SETTING_OF_FIELD[field] ?? field} is not valid: ${parsed.error}` };
}

/** Reads the settings into what a run needs; a bad value gives a message naming the setting. */
export function readRunSettings(tokenizer: TokenizerName): Read<RunSettings> {
  const c = vscode.workspace.getConfiguration(SECTION);
  return checked(runSettingsSchema, {
    ...measureSettings(tokenizer),
    maxTokens: c.get('maxTokens', SETTING_DEFAULTS.maxTokens),
    repeats: SETTING_DEFAULTS.repeats,
    warmups: SETTING_DEFAULTS.warmups,
    timeBudgetMs: c.get('timeBudgetMs', SETTING_DEFAULTS.timeBudgetMs),
    mapSize: SETTING_DEFAULTS.mapSize,
    checkRowLimit: SETTING_DEFAULTS.checkRowLimit,
  });
}

/** Reads the settings into what a sweep needs, with the lengths given in the view. */
export function readSweepSettings(tokenizer: TokenizerName, lengthsText: string): Read<SweepSettings> {
  let lengths: number[];
  try {
    lengths = parseLengths(lengthsText);
  } catch (err) {
    return { ok: false, error: `Sweep lengths: ${err instanceof Error ? err.message : String(err)}` };
  }
  const c = vscode.workspace.getConfiguration(SECTION);
  return checked(sweepSettingsSchema, { ...measureSettings(tokenizer), lengths, pointBudgetMs: c.get('sweepPointBudgetMs', SETTING_DEFAULTS.pointBudgetMs) });
}

export function sweepLengthsSetting(): string {
  return vscode.workspace.getConfiguration(SECTION).get('sweepLengths', SETTING_DEFAULTS.sweepLengths.join(', '));
}

export function defaultTokenizer(): TokenizerName {
  return vscode.workspace.getConfiguration(SECTION).get<TokenizerName>('tokenizer', SETTING_DEFAULTS.tokenizer);
}

/** The maximum number of tokens, for the token count (falls back to the default when the setting is invalid). */
export function maxTokensSetting(): number {
  const read = vscode.workspace.getConfiguration(SECTION).get<unknown>('maxTokens', SETTING_DEFAULTS.maxTokens);
  return typeof read === 'number' && Number.isInteger(read) && read >= 1 ? read : SETTING_DEFAULTS.maxTokens;
}
