import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'npyjs';
import { inputError } from '../model/errors';
import { LIMITS } from '../model/limits';
import { parseNpyMatrix } from '../engine/npy';
import type { Qkv } from '../engine/qkv';
import { describeFsError } from './outputs';

const NPY_MAGIC = '\x93NUMPY';

/**
 * The shape in a .npy file's header, read without reading its data (a 70000 x 70000 array is
 * refused before its 19 GB are read). Undefined when the header cannot be read: the full parse
 * then says why.
 */
function npyShape(file: string): number[] | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const preamble = Buffer.alloc(12);
    if (fs.readSync(fd, preamble, 0, preamble.length, 0) < preamble.length) return undefined;
    if (preamble.toString('latin1', 0, 6) !== NPY_MAGIC) return undefined;
    // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
    const headerStart = preamble[6] === 1 ? 10 : 12;
    const headerLength = preamble[6] === 1 ? preamble.readUInt16LE(8) : preamble.readUInt32LE(8);
    const header = Buffer.alloc(headerStart + headerLength);
    if (fs.readSync(fd, header, 0, header.length, 0) < header.length) return undefined;
    return parse(header.buffer.slice(header.byteOffset, header.byteOffset + header.length)).shape;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses an array whose shape breaks the limits, naming the file, the number and the limit. */
function checkShape(file: string, shape: readonly number[], maxTokens: number): void {
  if (shape.length !== 2) return; // the full parse names the problem
  const [n, d] = shape;
  if (n > maxTokens) {
    const raise = maxTokens < LIMITS.maxTokens ? ` (raise it with --max-tokens, up to ${LIMITS.maxTokens})` : '';
    throw inputError(`${file}: N = ${n} rows is more than the limit of ${maxTokens} tokens${raise}`);
  }
  if (d < LIMITS.minD || d > LIMITS.maxD) throw inputError(`${file}: d = ${d} columns is out of range: ${LIMITS.minD} <= d <= ${LIMITS.maxD}`);
}

/**
 * Reads q.npy, k.npy and v.npy (float32 or float64, shape [N, d], C order) from a folder, held to
 * the limits: N <= maxTokens and d within the head-dimension range, checked from the headers
 * before the data is read.
 */
export function loadQkvFolder(dir: string, maxTokens: number): Qkv {
  if (!fs.existsSync(dir)) throw inputError(`--qkv ${dir}: no such folder`);
  if (!fs.statSync(dir).isDirectory()) throw inputError(`--qkv ${dir}: it is a file; give the folder that holds q.npy, k.npy and v.npy`);
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw inputError(`${file}: missing (the folder must hold q.npy, k.npy and v.npy)`);
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw inputError(`${file}: it is a folder, not a .npy file`);
    if (!stat.isFile()) throw inputError(`${file}: not a regular file`);
    const readOrRefuse = <T>(what: () => T): T => {
      try {
        return what();
      } catch (err) {
        throw inputError(`${file}: cannot be read (${describeFsError(err)})`);
      }
    };
    const shape = readOrRefuse(() => npyShape(file));
    if (shape) checkShape(file, shape, maxTokens);
    const bytes = readOrRefuse(() => fs.readFileSync(file));
    const matrix = parseNpyMatrix(bytes, file);
    checkShape(file, [matrix.rows, matrix.cols], maxTokens);
    return matrix;
  };
  const q = read('q.npy');
  const k = read('k.npy');
  const v = read('v.npy');
  for (const [name, m] of [
    ['k.npy', k],
    ['v.npy', v],
  ] as const) {
    if (m.rows !== q.rows || m.cols !== q.cols) throw inputError(`${path.join(dir, name)}: shape (${m.rows}, ${m.cols}) differs from q.npy (${q.rows}, ${q.cols})`);
  }
  return { n: q.rows, d: q.cols, q: q.data, k: k.data, v: v.data };
}
