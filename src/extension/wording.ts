import { describeError, type ErrorDetail, type SettingName, type Wording } from '../model/errors';

export const SECTION = 'attentionProfiler';

/** The VS Code setting behind each setting the engine names (some run settings are fixed in the extension). */
const SETTING_KEYS: Record<SettingName, string> = {
  backend: 'backend',
  d: 'headDim',
  seed: 'seed',
  repeats: 'repeats',
  threads: 'threads',
  maxTokens: 'maxTokens',
  mapSize: 'mapSize',
  timeBudgetMs: 'timeBudgetMs',
  memoryBudgetMiB: 'memoryBudgetMiB',
  pointBudgetMs: 'sweepPointBudgetMs',
  lengths: 'sweepLengths',
  n: 'sweepLengths',
  variants: 'variants',
};

export function settingKey(name: SettingName): string {
  return `${SECTION}.${SETTING_KEYS[name]}`;
}

/** How the extension refers to settings in messages: by their VS Code names. */
export const EXTENSION_WORDING: Wording = { setting: (name) => `the ${settingKey(name)} setting` };

/** An engine error worded for the view. */
export function describeForUser(detail: ErrorDetail): string {
  return describeError(detail, EXTENSION_WORDING);
}
