import type { GPU } from 'gpu.js';
import type { BackendChoice, BackendName } from '../model/backends';
import { EngineError, errorSummary } from '../model/errors';
import type { BackendSelection, ProbeResult } from '../model/report';
import { currentPlatform } from './platform';

/**
 * Picks the backend: a forced one must pass its probe (else an EngineError naming the reason);
 * `auto` takes the first of the platform's backends that does. Every probe made is kept.
 */
export async function selectBackend(requested: BackendChoice, threads: number): Promise<BackendSelection> {
  const platform = currentPlatform();
  const probes: ProbeResult[] = [];
  if (requested !== 'auto') {
    const probe = await safeProbe(requested);
    probes.push(probe);
    for (const other of platform.backends) {
      if (other !== requested) probes.push({ backend: other, ok: false, reason: `not probed: ${requested} was asked for` });
    }
    if (!probe.ok) throw new EngineError({ code: 'backend-unavailable', backend: requested, reason: probe.reason });
    return { requested, selected: requested, probes, device: probe.device ?? '', threads: threadsOf(requested, threads) };
  }
  let selected: ProbeResult | undefined;
  for (const backend of platform.backends) {
    if (selected) {
      probes.push({ backend, ok: false, reason: `not needed: ${selected.backend} was chosen first` });
      continue;
    }
    const probe = await safeProbe(backend);
    probes.push(probe);
    if (probe.ok) selected = probe;
  }
  if (!selected) throw new EngineError({ code: 'no-backend' });
  return { requested, selected: selected.backend, probes, device: selected.device ?? '', threads: threadsOf(selected.backend, threads) };
}

/** Only webasm runs on several threads (gpu.js's worker pool, under its async mode). */
function threadsOf(backend: BackendName, threads: number): number {
  return backend === 'webasm' ? threads : 1;
}

async function safeProbe(backend: BackendName): Promise<ProbeResult> {
  if (!currentPlatform().backends.includes(backend)) return { backend, ok: false, reason: `${backend} is not offered in this host` };
  try {
    return await currentPlatform().probe(backend);
  } catch (err) {
    return { backend, ok: false, reason: firstLine(err) };
  }
}

/**
 * The backend a kernel really runs on. gpu.js replaces a kernel it cannot build with a CPU kernel
 * (quietly); every other kernel runs where it was asked to.
 */
export function kernelMode(shortcut: { kernel?: { constructor: { mode?: string } } }, requested: BackendName): string {
  return shortcut.kernel?.constructor.mode === 'cpu' ? 'cpu' : requested;
}

/** Runs a tiny kernel and checks both its numbers and that gpu.js did not move it elsewhere. */
export async function probeByTestKernel(gpu: GPU, backend: BackendName, device: string): Promise<ProbeResult> {
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
    return { backend, ok: true, reason: 'test kernel ran and returned the right numbers', device };
  } finally {
    void gpu.destroy();
  }
}

export function firstLine(err: unknown): string {
  return errorSummary(err) || 'unknown error';
}
