import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { ceilingSchema, type Ceiling } from '../../model/efficiency';
import type { CeilingCache } from '../platform';

const fileSchema = z.object({ ceilings: z.record(z.string(), ceilingSchema) });

/**
 * The folder of the cache: $ATTENTION_PROFILER_CACHE_DIR, else $XDG_CACHE_HOME/attention-profiler,
 * else ~/.cache/attention-profiler (the CLI and the extension's worker share it).
 */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATTENTION_PROFILER_CACHE_DIR) return env.ATTENTION_PROFILER_CACHE_DIR;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'attention-profiler');
}

/**
 * Ceilings in a JSON file (ceilings.json in the cache folder). A file that is missing, unreadable
 * or not of this shape reads as empty (the ceiling is measured again and the file rewritten); a
 * write that fails is reported to the caller, which records why in the report.
 */
export function fileCeilingCache(folder: string = cacheFolder()): CeilingCache {
  const file = path.join(folder, 'ceilings.json');
  const load = (): Record<string, Ceiling> => {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data.ceilings : {};
    } catch {
      return {};
    }
  };
  return {
    location: file,
    read: (key) => load()[key],
    write: (key, ceiling) => {
      try {
        fs.mkdirSync(folder, { recursive: true });
        const ceilings = { ...load(), [key]: ceiling };
        const temp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temp, `${JSON.stringify({ ceilings }, null, 2)}\n`);
        fs.renameSync(temp, file);
        return undefined;
      } catch (err) {
        return `could not write ${file}: ${err instanceof Error ? err.message : String(err)}`;
      }
    },
  };
}
