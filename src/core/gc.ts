import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection before a measurement, so that a variant is not charged for the
 * garbage the previous one left (full attention at N = 8192 leaves half a gigabyte). Node exposes
 * gc() only with --expose-gc; the flag can be set at run time and the function taken from a fresh
 * context. Where that fails, measurements go on without it.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
