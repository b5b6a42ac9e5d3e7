import * as fs from 'node:fs';

/**
 * The address space this process may still map, where a limit is set (`ulimit -v`, Linux): V8
 * cannot always turn a failed mapping into an error (it may abort or crash), so the memory budget
 * must stay under what is left. undefined: no limit, or not Linux.
 */
export function addressSpaceLeft(readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): { limitBytes: number; leftBytes: number } | undefined {
  let limits: string;
  let status: string;
  try {
    limits = readFile('/proc/self/limits');
    status = readFile('/proc/self/status');
  } catch {
    return undefined;
  }
  const soft = /^Max address space\s+(\S+)/mu.exec(limits)?.[1];
  const size = /^VmSize:\s+(\d+)\s*kB/mu.exec(status)?.[1];
  if (soft === undefined || soft === 'unlimited' || size === undefined) return undefined;
  const limitBytes = Number(soft);
  if (!Number.isFinite(limitBytes)) return undefined;
  return { limitBytes, leftBytes: Math.max(0, limitBytes - Number(size) * 1024) };
}
