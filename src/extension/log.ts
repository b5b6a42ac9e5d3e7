import type * as vscode from 'vscode';
import { backendLabel } from '../model/backends';
import type { ProbeResult } from '../model/probe';
import type { ProfileReport } from '../model/report';
import type { RunSettings, SweepSettings } from '../model/settings';
import type { SweepReport } from '../model/sweep';
import { WALL_PHASES, type PhaseMs } from '../model/wall-time';
import { describeForUser } from './wording';
import type { RunFailure } from './worker-client';

/** The name of the extension's log (Output panel: "Attention Profiler"). */
export const LOG_NAME = 'Attention Profiler';

/** What the extension writes to its log: a `vscode.LogOutputChannel`, or a stand-in in tests. */
export type Log = Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error' | 'show'>;

/**
 * The lines of the log. They say what was asked (variant ids, lengths, backend, settings), what
 * the probes found, how long each phase took, and what failed. They never hold what the user's
 * text says: no token text, no file contents, no input error's message (it may quote the input).
 */
export const logLines = {
  runRequest(id: number, s: RunSettings): string {
    return `run #${id} asked: ${s.variants.length} variants (${s.variants.join(', ')}), backend ${s.backend}, tokenizer ${s.tokenizer}, d = ${s.d}, ${s.causal ? 'causal' : 'bidirectional'}, seed ${s.seed}, max ${s.maxTokens} tokens, time budget ${s.timeBudgetMs} ms per variant, memory budget ${mib(s.memoryBudgetBytes)}, threads ${s.threads}`;
  },

  sweepRequest(id: number, s: SweepSettings): string {
    return `sweep #${id} asked: ${s.variants.length} variants (${s.variants.join(', ')}), N = ${s.lengths.join(', ')}, backend ${s.backend}, tokenizer ${s.tokenizer}, d = ${s.d}, ${s.causal ? 'causal' : 'bidirectional'}, seed ${s.seed}, budget ${s.pointBudgetMs} ms per point, memory budget ${mib(s.memoryBudgetBytes)}, threads ${s.threads}`;
  },

  laneChosen(id: number, lane: 'worker' | 'view', ms: number): string {
    return `#${id}: runs in the ${lane === 'view' ? "view's GPU lane" : 'worker lane'} (chosen in ${ms.toFixed(0)} ms)`;
  },

  probes(id: number, probes: readonly ProbeResult[]): string[] {
    return probes.map(
      (p) => `#${id}: probe ${backendLabel(p.backend)}: ${p.ok ? 'passed' : 'failed'}${p.device ? ` on ${p.device}` : ''}${p.software ? ' (software adapter)' : ''}: ${p.reason}`,
    );
  },

  /** The outcome of a run: backend, N, every probe, the phases of its wall time and each variant's. */
  report(id: number, report: ProfileReport, hostMs: number): string[] {
    const lines = [
      `run #${id} ${report.cancelled ? 'cancelled' : 'done'} in ${hostMs.toFixed(0)} ms: N = ${report.input.n}, ${report.variants.length} variants on ${backendLabel(report.backend.selected)}${report.backend.device ? ` (${report.backend.device})` : ''}, ${report.backend.threads} threads`,
      ...logLines.probes(id, report.backend.probes),
    ];
    if (report.wallTime) lines.push(`run #${id} wall time ${report.wallTime.totalMs.toFixed(0)} ms: ${phases(report.wallTime.phases)}`);
    for (const v of report.variants) {
      const total = v.wallMs ? WALL_PHASES.reduce((sum, p) => sum + v.wallMs![p], 0) : undefined;
      lines.push(
        `run #${id} ${v.id}: ${v.status}${v.time ? `, median ${v.time.medianMs.toFixed(3)} ms over ${v.time.runs} runs, first call ${v.time.firstCallMs.toFixed(1)} ms` : ''}${total !== undefined ? `; wall ${total.toFixed(0)} ms: ${phases(v.wallMs!)}` : ''}`,
      );
    }
    return lines;
  },

  sweep(id: number, sweep: SweepReport, hostMs: number): string[] {
    const points = sweep.variants.reduce((n, v) => n + v.points.length, 0);
    return [
      `sweep #${id} ${sweep.cancelled ? 'cancelled' : 'done'} in ${hostMs.toFixed(0)} ms: ${sweep.variants.length} variants, ${points} points on ${backendLabel(sweep.backend.selected)}${sweep.backend.device ? ` (${sweep.backend.device})` : ''}`,
      ...logLines.probes(id, sweep.backend.probes),
    ];
  },

  /** A failure as a line: an input error by its kind only, as its message may quote the input. */
  failure(id: number, failure: RunFailure, hostMs: number): string {
    const what =
      failure.kind === 'userError'
        ? failure.detail?.code === 'input'
          ? 'the input was refused (its message is in the view)'
          : failure.detail
            ? describeForUser(failure.detail)
            : failure.message
        : failure.message;
    return `#${id} ${failure.kind === 'cancelled' ? 'cancelled' : `ended (${failure.kind})`} after ${hostMs.toFixed(0)} ms: ${what}`;
  },
};

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** "compile 12 ms, timed 80 ms, ...": the phases that took any time, longest first. */
function phases(ms: PhaseMs): string {
  const taken = WALL_PHASES.filter((p) => ms[p] >= 0.5).sort((a, b) => ms[b] - ms[a]);
  return taken.length === 0 ? 'no phase took 1 ms' : taken.map((p) => `${p} ${ms[p].toFixed(0)} ms`).join(', ');
}
