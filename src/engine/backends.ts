import type { GPU } from 'gpu.js';
import { laneOf, type BackendChoice, type BackendName } from '../model/backends';
import { EngineError, errorSummary } from '../model/errors';
import { passedOverAsSoftware, usableByAuto, type ProbeResult } from '../model/probe';
import type { BackendSelection } from '../model/report';
import { currentPlatform } from './platform';

/** How `auto` chooses: the backends it may try, in order, and the probes already made elsewhere. */
export interface AutoPolicy {
  /** The backends auto tries here, in order (default: this host's own, in their order). */
  order: readonly BackendName[];
  /** Probes another lane made before this one (recorded first in the report). */
  known: readonly ProbeResult[];
}

/**
 * Picks the backend: a forced one must pass its probe (else an EngineError naming the reason);
 * `auto` takes the first of its order that passes and is not a software adapter (SwiftShader,
 * llvmpipe...: auto never prefers one to webasm; forcing one is allowed). Every probe made is kept,
 * with its reason.
 */
export async function selectBackend(requested: BackendChoice, threads: number, given?: AutoPolicy): Promise<BackendSelection> {
  const platform = currentPlatform();
  const policy = given ?? { order: platform.backends, known: [] };
  if (requested !== 'auto') {
    const probe = await probeOnce(requested);
    const others = platform.backends.filter((b) => b !== requested).map((backend) => ({ backend, ok: false, reason: `not probed: ${requested} was asked for` }));
    if (!probe.ok) throw new EngineError({ code: 'backend-unavailable', backend: requested, reason: probe.reason });
    return selection(requested, probe, [...policy.known, probe, ...others], threads);
  }
  const probes: ProbeResult[] = [...policy.known];
  let chosen: ProbeResult | undefined;
  for (const backend of policy.order) {
    if (probes.some((p) => p.backend === backend)) continue;
    if (chosen) {
      probes.push({ backend, ok: false, reason: `not needed: ${chosen.backend} was chosen first` });
      continue;
    }
    const probe = await probeOnce(backend);
    if (probe.ok && !usableByAuto(probe)) {
      probes.push(passedOverAsSoftware(probe));
      continue;
    }
    probes.push(probe);
    if (probe.ok) chosen = probe;
  }
  if (!chosen) throw new EngineError({ code: 'no-backend' });
  return selection(requested, chosen, probes, threads);
}

function selection(requested: BackendChoice, chosen: ProbeResult, probes: ProbeResult[], threads: number): BackendSelection {
  // Only webasm runs on several threads (gpu.js's worker pool, under its async mode).
  return { requested, selected: chosen.backend, lane: laneOf(chosen.backend), probes, device: chosen.device ?? '', threads: chosen.backend === 'webasm' ? threads : 1 };
}

/** Successful probes, per backend, for this process: a backend that answered once is not asked again. */
const answered = new Map<BackendName, ProbeResult>();

/** Probes a backend of this host (a passing answer is remembered for the life of the process). */
export async function probeOnce(backend: BackendName): Promise<ProbeResult> {
  const known = answered.get(backend);
  if (known) return known;
  const platform = currentPlatform();
  if (!platform.backends.includes(backend)) return { backend, ok: false, reason: platform.unavailable(backend) };
  let probe: ProbeResult;
  try {
    probe = await platform.probe(backend);
  } catch (err) {
    probe = { backend, ok: false, reason: firstLine(err) };
  }
  if (probe.ok) answered.set(backend, probe);
  return probe;
}

/**
 * The backend a kernel really runs on. gpu.js replaces a kernel it cannot build with a CPU kernel
 * (quietly); every other kernel runs where it was asked to.
 */
export function kernelMode(shortcut: { kernel?: { constructor: { mode?: string } } }, requested: BackendName): string {
  return shortcut.kernel?.constructor.mode === 'cpu' ? 'cpu' : requested;
}

/** Runs a tiny kernel and checks both its numbers and that gpu.js did not move it elsewhere. */
export async function probeByTestKernel(gpu: GPU, backend: BackendName, device: string, software = false): Promise<ProbeResult> {
  try {
    const kernel = gpu.createKernel(
      function (this: { thread: { x: number } }, a: number[]) {
        return a[this.thread.x] * 2 + 1;
      } as never,
      { output: [8], precision: 'single', asyncMode: true } as never,
    );
    const input = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const result = (await (kernel as unknown as (a: Float32Array) => Promise<Float32Array>)(input)) as ArrayLike<number>;
    const compiled = kernel as unknown as { kernel?: { constructor: { mode?: string }; fallbackReason?: string | null } };
    const ranOn = kernelMode(compiled, backend);
    if (ranOn !== backend) {
      const reason = compiled.kernel?.fallbackReason;
      return { backend, ok: false, reason: `gpu.js moved the test kernel to ${ranOn}: ${reason ?? 'no reason given'}` };
    }
    for (let i = 0; i < 8; i++) {
      if (result[i] !== i * 2 + 1) return { backend, ok: false, reason: `test kernel returned wrong numbers (${Array.from(result).join(',')})` };
    }
    return { backend, ok: true, reason: 'test kernel ran and returned the right numbers', device, ...(software ? { software } : {}) };
  } finally {
    void gpu.destroy();
  }
}

export function firstLine(err: unknown): string {
  return errorSummary(err) || 'unknown error';
}
