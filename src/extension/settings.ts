import * as vscode from 'vscode';
import type { TokenizerName } from '../core/tokenizer-names';
import { VARIANT_IDS } from '../core/variants/ids';
import { parseMessage, runSettingsSchema, type RunSettings } from '../protocol';
import { SECTION, SETTING_DEFAULTS } from './settings-defaults';

/** The map side sent to the view: maps are downsampled above 512 x 512. */
const MAP_SIZE = 512;

/** Reads the settings into what a run needs; a bad value gives a message naming the setting. */
export function readRunSettings(tokenizer: TokenizerName): { ok: true; settings: RunSettings } | { ok: false; error: string } {
  const c = vscode.workspace.getConfiguration(SECTION);
  const params: Record<string, Record<string, string | number | boolean>> = {};
  for (const id of VARIANT_IDS) {
    const given = c.get<Record<string, string | number | boolean>>(`params.${id}`);
    if (given && Object.keys(given).length > 0) params[id] = given;
  }
  const candidate = {
    backend: c.get('backend', SETTING_DEFAULTS.backend),
    d: c.get('headDim', SETTING_DEFAULTS.headDim),
    seed: c.get('seed', SETTING_DEFAULTS.seed),
    causal: c.get('causal', SETTING_DEFAULTS.causal),
    tokenizer,
    maxTokens: c.get('maxTokens', SETTING_DEFAULTS.maxTokens),
    timeBudgetMs: c.get('timeBudgetMs', SETTING_DEFAULTS.timeBudgetMs),
    memoryBudgetBytes: c.get('memoryBudgetMiB', SETTING_DEFAULTS.memoryBudgetMiB) * 2 ** 20,
    variants: c.get<string[]>('variants', [...VARIANT_IDS]),
    params,
    mapSize: MAP_SIZE,
    threads: c.get('threads', SETTING_DEFAULTS.threads),
  };
  const parsed = parseMessage(runSettingsSchema, candidate);
  if (!parsed.ok) return { ok: false, error: `Setting ${SECTION}.${settingName(parsed.error)} is not valid: ${parsed.error}` };
  return { ok: true, settings: parsed.message };
}

function settingName(error: string): string {
  const key = error.split(':')[0]?.split('.')[0] ?? '';
  const names: Record<string, string> = { d: 'headDim', memoryBudgetBytes: 'memoryBudgetMiB' };
  return names[key] ?? key;
}

export function sweepDefaults(): { lengths: string; pointBudgetMs: number } {
  const c = vscode.workspace.getConfiguration(SECTION);
  return { lengths: c.get('sweepLengths', SETTING_DEFAULTS.sweepLengths), pointBudgetMs: c.get('sweepPointBudgetMs', SETTING_DEFAULTS.sweepPointBudgetMs) };
}

export function defaultTokenizer(): TokenizerName {
  return vscode.workspace.getConfiguration(SECTION).get<TokenizerName>('tokenizer', SETTING_DEFAULTS.tokenizer);
}
