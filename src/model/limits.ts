/**
 * Every limit and default of the tool, in one module: the engine checks against these, the CLI
 * and the settings generator describe them, and the protocol's schemas bound messages with them.
 */
export const LIMITS = {
  /** The longest sequence anything accepts: tokens, sweep lengths, Q/K/V rows. */
  maxTokens: 65536,
  minD: 1,
  maxD: 512,
  minRepeats: 5,
  maxRepeats: 1000,
  /** Timed runs stop here even inside the time budget. */
  maxTimedRuns: 50,
  /** The largest map side a report carries; larger masks and weights are downsampled to it. */
  maxMapSize: 512,
  /** The largest N the `mask` command prints (N x N characters). */
  maxMaskN: 4096,
  maxSeed: 2 ** 31 - 1,
  maxThreads: 256,
  /** Largest time budget per variant or sweep point. */
  maxBudgetMs: 600_000,
  maxMemoryBudgetMiB: 1_048_576,
  /** Largest token id (ids must fit a 32-bit signed integer). */
  maxTokenId: 2 ** 31 - 1,
  /** The profiling worker's V8 heap (old and young generation), in MiB. */
  workerHeapMiB: 4096,
  workerYoungHeapMiB: 256,
} as const;

/** What files read from anywhere (saved runs, sweeps) may hold: every size has a limit. */
export const FILE_BOUNDS = {
  /** Characters of any string (a name, a reason, a token's text). */
  maxString: 10_000,
  /** Items of any list (probes, warnings, timing samples, points). */
  maxItems: 1_000,
  /** Entries of any record (parameters, kernels per backend), and characters of their keys. */
  maxEntries: 1_000,
  maxKey: 200,
  /** Variants of a saved run. */
  maxVariants: 256,
} as const;

/** What a PNG export of the view may be: size, side, and images per export. */
export const PNG_LIMITS = {
  maxBytes: 16 * 2 ** 20,
  maxSide: 16384,
  maxFiles: 256,
} as const;

/** The defaults of a run and a sweep (CLI, benchmarks, tests). */
export const DEFAULTS = {
  backend: 'auto',
  tokenizer: 'o200k_base',
  d: 64,
  seed: 1,
  causal: true,
  repeats: 5,
  warmups: 2,
  timeBudgetMs: 300,
  memoryBudgetMiB: 2048,
  maxTokens: 16384,
  /** The CLI leaves maps out of its report unless --maps asks for them. */
  mapSize: 0,
  /** Rows compared against the float64 references: all of them up to this many, else evenly spread. */
  checkRowLimit: 512,
  /** Largest relative Frobenius error of a variant's output against its float64 reference. */
  gateTolerance: 1e-4,
  threads: 1,
  pointBudgetMs: 2000,
  sweepLengths: [256, 512, 1024, 2048, 4096, 8192, 16384],
} as const;

/** Where the extension's settings differ from the CLI's defaults: shorter inputs, a quicker run. */
export const SETTING_DEFAULTS = {
  ...DEFAULTS,
  maxTokens: 4096,
  timeBudgetMs: 300,
  /** The view always draws maps, at most this big. */
  mapSize: LIMITS.maxMapSize,
} as const;

/**
 * Timing of a sweep point: one warm-up, then 5 timed runs, or 3 when the point is slow; in two
 * rounds, the second over the lengths in reverse order, so that a spell of other work on the
 * machine slows one round of a point, not both.
 */
export const SWEEP_TIMING = { warmups: 1, minRuns: 3, maxRuns: 5, rounds: 2 } as const;

/** The first bytes per MiB, for budgets given in MiB. */
export const MIB = 2 ** 20;

/**
 * Why a memory budget cannot exceed the machine's memory, in the words every front end uses: the
 * budget is what refuses a variant before it runs out of memory, so a budget above the machine's
 * memory protects nothing.
 */
export function overMachineMemory(machineMiB: number): string {
  return `more than this machine's memory (${machineMiB} MiB); the budget refuses a variant before it runs out of memory, so it can be at most ${machineMiB}`;
}

/**
 * A memory budget held to the machine's memory (`machineBytes`: os.totalmem, read by the host).
 * `capped` is set when the budget asked for was lowered, with the machine's memory in MiB.
 */
export function capMemoryBudgetMiB(requestedMiB: number, machineBytes: number): { mib: number; capped?: { requestedMiB: number; machineMiB: number } } {
  const machineMiB = Math.max(1, Math.floor(machineBytes / MIB));
  if (!(requestedMiB > machineMiB)) return { mib: requestedMiB };
  return { mib: machineMiB, capped: { requestedMiB, machineMiB } };
}
