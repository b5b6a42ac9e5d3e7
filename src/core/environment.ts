import * as os from 'node:os';
import type { ProfileReport } from './report';
import { GPUJS_VERSION } from './version';

/** What a report records about the machine, so that a timing can be read in context. */
export function environmentInfo(): ProfileReport['environment'] {
  return {
    node: process.version,
    gpujs: GPUJS_VERSION,
    platform: process.platform,
    arch: process.arch,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
  };
}
