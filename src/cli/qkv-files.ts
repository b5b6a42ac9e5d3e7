import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../model/errors';
import { parseNpyMatrix } from '../engine/npy';
import type { Qkv } from '../engine/qkv';

/** Reads q.npy, k.npy and v.npy (float32 or float64, shape [N, d], C order) from a folder. */
export function loadQkvFolder(dir: string): Qkv {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw inputError(`--qkv ${dir}: no such folder`);
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw inputError(`${file}: missing (the folder must hold q.npy, k.npy and v.npy)`);
    if (!fs.statSync(file).isFile()) throw inputError(`${file}: not a file`);
    return parseNpyMatrix(fs.readFileSync(file), file);
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
