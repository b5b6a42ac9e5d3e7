import { WALL_PHASES, zeroPhases, type PhaseMs, type WallPhase, type WallTime } from '../model/wall-time';

/**
 * Splits a run's wall time into exclusive phases (model/wall-time.ts), for the run and for each
 * variant. The engine is sequential, so one current phase is enough: `during` switches to a phase
 * and back, and a nested `during` takes the time from its parent.
 */
export class WallClock {
  private readonly start = performance.now();
  private readonly totals = zeroPhases();
  private readonly perVariant = new Map<string, PhaseMs>();
  private phase: WallPhase = 'other';
  private variant: string | undefined;
  private since = this.start;

  /** Runs fn with its time counted for `phase` (and the current variant, if any). */
  during<T>(phase: WallPhase, fn: () => T): T {
    const outer = this.switchTo(phase);
    try {
      const result = fn();
      if (result instanceof Promise) return result.finally(() => this.switchTo(outer)) as T;
      this.switchTo(outer);
      return result;
    } catch (err) {
      this.switchTo(outer);
      throw err;
    }
  }

  /** Counts what follows for this variant (undefined: for the run only). */
  forVariant(id: string | undefined): void {
    this.settle();
    this.variant = id;
  }

  variantPhases(id: string): PhaseMs | undefined {
    this.settle();
    const phases = this.perVariant.get(id);
    return phases ? { ...phases } : undefined;
  }

  summary(): WallTime {
    this.settle();
    const totalMs = performance.now() - this.start;
    const phases = { ...this.totals };
    const counted = WALL_PHASES.reduce((sum, p) => sum + (p === 'other' ? 0 : phases[p]), 0);
    phases.other = Math.max(0, totalMs - counted);
    return { totalMs, phases };
  }

  private switchTo(phase: WallPhase): WallPhase {
    this.settle();
    const outer = this.phase;
    this.phase = phase;
    return outer;
  }

  private settle(): void {
    const now = performance.now();
    const ms = now - this.since;
    this.since = now;
    this.totals[this.phase] += ms;
    if (this.variant !== undefined) {
      let phases = this.perVariant.get(this.variant);
      if (!phases) this.perVariant.set(this.variant, (phases = zeroPhases()));
      phases[this.phase] += ms;
    }
  }
}
