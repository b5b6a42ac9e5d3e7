import type { GPU } from 'gpu.js';
import type { BackendName } from '../model/backends';
import type { Ceiling } from '../model/efficiency';
import type { ProbeResult } from '../model/probe';
import type { Environment } from '../model/report';

/**
 * What the engine needs from the host it runs in: the one seam between the portable engine and
 * the code that only works in Node (the worker thread and the CLI: gl and Dawn loaders, v8's GC,
 * process memory) or only in a browser worker (OffscreenCanvas, navigator.gpu).
 */
export interface Platform {
  /** The backends this host can offer, in the order `auto` tries them. */
  readonly backends: readonly BackendName[];
  /** Tries a backend: it passes when a test kernel runs on it and returns the right numbers. */
  probe(backend: BackendName): Promise<ProbeResult>;
  /** Why a backend this host does not offer cannot run here (e.g. the view's backends in Node). */
  unavailable(backend: BackendName): string;
  /** The gpu.js instance for a backend that passed its probe. */
  createGpu(backend: BackendName): GPU;
  /** The most threads the webasm backend's worker pool can use here. */
  availableThreads(): number;
  /** A full garbage collection before a measurement, where the host allows one. */
  collectGarbage(): void;
  /** Bytes of array buffers the process holds (a secondary memory figure), where the host can tell. */
  arrayBufferBytes(): number | undefined;
  /** The machine and versions a report records. */
  environment(): Environment;
  /** Where backends' calibration ceilings are kept between runs. */
  readonly ceilings: CeilingCache;
}

/** Calibration ceilings by key (backend, threads, machine; engine/calibration.ts). */
export interface CeilingCache {
  /** Where the cache lives, for messages ("~/.cache/attention-profiler/ceilings.json", "this view's memory"). */
  readonly location: string;
  read(key: string): Ceiling | undefined;
  /** Stores a ceiling; returns why it could not be stored, or undefined. */
  write(key: string, ceiling: Ceiling): string | undefined;
}

/** A cache that lives as long as the host (the view's GPU lane). */
export function memoryCeilingCache(location: string): CeilingCache {
  const entries = new Map<string, Ceiling>();
  return {
    location,
    read: (key) => entries.get(key),
    write: (key, ceiling) => {
      entries.set(key, ceiling);
      return undefined;
    },
  };
}

let installed: Platform | undefined;

/** Called once by each host's entry point (worker thread, CLI, browser worker) before the engine runs. */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

export function currentPlatform(): Platform {
  if (!installed) throw new Error('the engine has no platform: the host must call installPlatform() first');
  return installed;
}
