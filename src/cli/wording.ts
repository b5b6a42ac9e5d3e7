import { describeError, type ErrorDetail, type SettingName, type Wording } from '../model/errors';

/** The CLI flag behind each setting the engine names. */
export const FLAGS: Record<SettingName, string> = {
  backend: '--backend',
  d: '--d',
  seed: '--seed',
  repeats: '--repeats',
  threads: '--threads',
  maxTokens: '--max-tokens',
  mapSize: '--maps',
  timeBudgetMs: '--time-budget-ms',
  memoryBudgetMiB: '--memory-budget-mib',
  pointBudgetMs: '--point-budget-ms',
  lengths: '--n',
  n: '--n',
  variants: '--variants',
};

/** How the CLI refers to settings in messages: by their flags. */
export const CLI_WORDING: Wording = { setting: (name) => FLAGS[name] };

export function describeForCli(detail: ErrorDetail): string {
  return describeError(detail, CLI_WORDING);
}
