/** Setting names and defaults, light enough for the extension host (no variant code). */
export const SECTION = 'attentionProfiler';

export const SETTING_DEFAULTS = {
  backend: 'auto',
  headDim: 64,
  causal: true,
  seed: 1,
  tokenizer: 'o200k_base',
  maxTokens: 4096,
  timeBudgetMs: 300,
  memoryBudgetMiB: 2048,
  sweepLengths: '256, 512, 1024, 2048, 4096, 8192, 16384',
  sweepPointBudgetMs: 2000,
  threads: 1,
} as const;
