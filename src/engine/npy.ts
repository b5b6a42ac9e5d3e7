import { dump, parse } from 'npyjs';
import { inputError } from '../model/errors';

/** A 2-D float array read from a .npy file, converted to float32, row-major [rows x cols]. */
export interface Matrix2D {
  rows: number;
  cols: number;
  data: Float32Array;
}

/**
 * Parses a .npy file holding a float32 or float64 matrix in C order. Every value must be finite
 * (and, for float64, representable as float32). `label` names the file in error messages.
 */
export function parseNpyMatrix(bytes: Uint8Array, label: string): Matrix2D {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let parsed;
  try {
    parsed = parse(buffer);
  } catch (err) {
    throw inputError(`${label}: not a readable .npy file (${err instanceof Error ? err.message : String(err)})`);
  }
  const { shape, dtype, fortranOrder } = parsed;
  if (dtype !== 'f4' && dtype !== 'f8') {
    throw inputError(`${label}: dtype ${dtype} is not supported; save float32 or float64 (little-endian)`);
  }
  if (fortranOrder) throw inputError(`${label}: array is in Fortran order; save it in C order (np.ascontiguousarray)`);
  if (shape.length !== 2) throw inputError(`${label}: shape (${shape.join(', ')}) is not [N, d]`);
  const [rows, cols] = shape as [number, number];
  if (rows < 1 || cols < 1) throw inputError(`${label}: shape (${rows}, ${cols}) is empty`);
  const source = parsed.data as Float32Array | Float64Array;
  if (source.length !== rows * cols) {
    throw inputError(`${label}: holds ${source.length} values but its shape (${rows}, ${cols}) needs ${rows * cols}`);
  }
  const data = new Float32Array(rows * cols);
  for (let idx = 0; idx < data.length; idx++) {
    const v = source[idx];
    data[idx] = v;
    if (!Number.isFinite(v)) {
      throw inputError(`${label}: value at [${Math.floor(idx / cols)}, ${idx % cols}] is ${v}; every value must be finite`);
    }
    if (!Number.isFinite(data[idx])) {
      throw inputError(`${label}: value at [${Math.floor(idx / cols)}, ${idx % cols}] (${v}) overflows float32`);
    }
  }
  return { rows, cols, data };
}

/** Serialises a float32 [rows x cols] matrix as a .npy file (C order, little-endian). */
export function encodeNpyMatrix(data: Float32Array, rows: number, cols: number): Uint8Array {
  return new Uint8Array(dump(data, [rows, cols], { dtype: 'f4' }));
}
