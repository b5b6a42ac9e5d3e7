import { z } from 'zod';
import { BACKENDS } from './backends';

/** The outcome of trying one backend: whether a test kernel ran on it, and why it was or was not used. */
export const probeSchema = z.object({
  backend: z.enum(BACKENDS),
  ok: z.boolean().describe('a test kernel ran on it and returned the right numbers'),
  reason: z.string().describe('why it was or was not used'),
  /** Adapter or renderer: what the user needs to read a timing. */
  device: z.string().optional(),
  software: z.boolean().optional().describe('the adapter or renderer is a CPU implementation (SwiftShader, llvmpipe, lavapipe): auto does not prefer it to webasm'),
});
export type ProbeResult = z.infer<typeof probeSchema>;

/** A probe that passed on a software adapter, as auto records it when it passes it over. */
export function passedOverAsSoftware(probe: ProbeResult): ProbeResult {
  return { ...probe, reason: `${probe.reason}, but ${probe.device ?? 'it'} is a software adapter (a CPU): auto prefers webasm; choose ${probe.backend} explicitly to use it` };
}

/** Whether auto may take this probe's backend: it passed, on real hardware. */
export function usableByAuto(probe: ProbeResult): boolean {
  return probe.ok && !probe.software;
}
