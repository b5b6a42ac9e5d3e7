import { z } from 'zod';

/**
 * Where the wall time of a run went, phase by phase. Phases are exclusive: time inside a nested
 * phase (the exact baseline computed during the error figures) counts for the inner one only.
 */
export const WALL_PHASES = ['probes', 'calibration', 'input', 'compile', 'gate', 'references', 'error', 'maps', 'warmups', 'timed', 'gc', 'other'] as const;
export type WallPhase = (typeof WALL_PHASES)[number];

export const WALL_PHASE_LABELS: Record<WallPhase, string> = {
  probes: 'backend probes',
  calibration: "the backend's ceiling (calibration kernel)",
  input: 'tokens and Q, K, V',
  compile: 'kernel set-up and first calls (compile + one run)',
  gate: "correctness gate (the variant's float64 reference)",
  references: 'exact float64 attention (for the error figures)',
  error: 'error and KL against exact attention',
  maps: 'maps',
  warmups: 'warm-up runs',
  timed: 'timed runs',
  gc: 'garbage collection between phases',
  other: 'the rest (reports, progress, scheduling)',
};

export const phaseMsSchema = z.object(Object.fromEntries(WALL_PHASES.map((p) => [p, z.number().describe(WALL_PHASE_LABELS[p])])) as Record<WallPhase, z.ZodNumber>);
export type PhaseMs = Record<WallPhase, number>;

export const wallTimeSchema = z
  .object({
    totalMs: z.number(),
    phases: phaseMsSchema,
  })
  .describe('where the wall time of the run went (milliseconds per phase; they add up to totalMs)');
export type WallTime = z.infer<typeof wallTimeSchema>;

export function zeroPhases(): PhaseMs {
  return Object.fromEntries(WALL_PHASES.map((p) => [p, 0])) as PhaseMs;
}
