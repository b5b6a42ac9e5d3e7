import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, inputError } from '../model/errors';

/**
 * The files a run writes (--json, --csv, --html, --dump-outputs): checked before the run, so that
 * a path that cannot be written is refused in one line before any work is done, and written
 * atomically after it (a temporary file in the same folder, then a rename), so that a failure
 * leaves the previous file or nothing, never a truncated one.
 */

/** A file flag and the path the user gave it. */
export interface OutputFile {
  flag: string;
  file: string;
}

/** An output that could not be written after the run: which one, and why, in the user's words. */
export interface OutputFailure {
  flag: string;
  file: string;
  reason: string;
  /** Further files of the same flag that failed too (--dump-outputs writes one per variant). */
  more?: number;
}

/** "permission denied" rather than "EACCES: permission denied, open '/x/.r.json.123.tmp'". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EFBIG':
      return 'the file is larger than the file size limit of this process';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENOENT':
      return 'the folder does not exist';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return code ? `${code}: ${errorMessage(err)}` : errorMessage(err);
  }
}

let tempCounter = 0;

/** A name next to `file`, hidden and unique to this process, for the atomic write. */
function tempNameFor(file: string): string {
  tempCounter += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${tempCounter}.tmp`);
}

/** Why `dir` cannot receive new files, or undefined when it can (tried: a file created and removed). */
function folderProblem(dir: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${dir} does not exist` : `the folder ${dir} cannot be read (${describeFsError(err)})`;
  }
  if (!stat.isDirectory()) return `${dir} is not a folder`;
  const probe = tempNameFor(path.join(dir, 'probe'));
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
  } catch (err) {
    return `cannot write in the folder ${dir} (${describeFsError(err)})`;
  }
  fs.rmSync(probe, { force: true });
  return undefined;
}

/**
 * The file a write to `file` replaces: the file itself, or the file a symbolic link points to (the
 * rename replaces that file and keeps the link, as writing through the link did).
 */
function targetOf(file: string): string {
  try {
    if (fs.lstatSync(file).isSymbolicLink()) return fs.realpathSync(file);
  } catch {
    // Missing, or a dangling link: the rename creates the file (or replaces the link).
  }
  return path.resolve(file);
}

/** Why the file `file` (which may not exist yet) cannot be written, or undefined when it can. */
function fileProblem(file: string): string | undefined {
  const target = targetOf(file);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return `${path.dirname(target)} is not a folder`;
    if (code !== 'ENOENT') return `cannot be checked (${describeFsError(err)})`;
  }
  if (stat?.isDirectory()) return 'it is a folder; give a file name';
  if (stat && !stat.isFile()) return 'it is not a regular file';
  // Refused even where the rename could replace it (as root, or in a writable folder): the user
  // made it read-only.
  if (stat && ((stat.mode & 0o222) === 0 || !canWrite(target))) return 'the file is read-only';
  return folderProblem(path.dirname(target));
}

function canWrite(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Refuses, before the run, an output file that cannot be written; one line naming the flag, the path and why. */
export function checkOutputFiles(outputs: readonly OutputFile[]): void {
  const seen = new Map<string, string>();
  for (const { flag, file } of outputs) {
    const resolved = targetOf(file);
    const other = seen.get(resolved);
    if (other !== undefined) throw inputError(`${flag} ${file}: ${other} writes the same file; give each output its own file`);
    seen.set(resolved, flag);
    const problem = fileProblem(file);
    if (problem !== undefined) throw inputError(`${flag} ${file}: ${problem}`);
  }
}

/**
 * Makes the --dump-outputs folder (and its parents) and checks that the files it will hold can be
 * written; `names` are the files the run will write there.
 */
export function prepareOutputFolder(dir: string, flag: string, names: readonly string[]): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw inputError(`${flag} ${dir}: it is a file, not a folder`);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw inputError(`${flag} ${dir}: cannot create the folder (${describeFsError(err)})`);
  }
  const problem = folderProblem(dir);
  if (problem !== undefined) throw inputError(`${flag} ${dir}: ${problem}`);
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const fileIssue = fileProblem(file);
    if (fileIssue !== undefined) throw inputError(`${flag} ${dir}: ${file}: ${fileIssue}`);
  }
}

/**
 * Writes `data` to `file` atomically: into a temporary file in the same folder, flushed, then
 * renamed over `file`. On any failure the temporary file is removed and `file` is left as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const target = targetOf(file);
  const temp = tempNameFor(target);
  try {
    // A file replaced keeps its permissions; a new one gets the usual 0666 less the umask.
    const mode = fs.statSync(target, { throwIfNoEntry: false })?.mode ?? 0o666;
    const fd = fs.openSync(temp, 'wx', mode & 0o777);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Writes every output whose text can be produced, each atomically; an output that fails does not
 * stop the others. Returns the failures, for the caller to report after the table.
 */
export function writeOutputs(outputs: ReadonlyArray<OutputFile & { data: () => string | Uint8Array }>): OutputFailure[] {
  const failures: OutputFailure[] = [];
  for (const { flag, file, data } of outputs) {
    try {
      writeFileAtomic(file, data());
    } catch (err) {
      failures.push({ flag, file, reason: describeFsError(err) });
    }
  }
  return failures;
}

/** One line per output that could not be written. */
export function describeOutputFailure(failure: OutputFailure): string {
  const more = failure.more ? `, nor ${failure.more} more file${failure.more > 1 ? 's' : ''} there` : '';
  return `${failure.flag} ${failure.file}: not written${more}: ${failure.reason}; nothing partial was left there`;
}
