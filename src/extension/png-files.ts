import { PNG_LIMITS } from '../model/limits';

/**
 * The PNG exports' pure side (src/extension/exports.ts writes them): what the view sends is
 * checked before anything is written, and no file is ever overwritten.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PREFIX = 'data:image/png;base64,';

/** The bytes of a PNG data URL, checked: base64, the PNG signature, an IHDR first, a bounded size. */
export function pngBytes(dataUrl: string, name: string): Uint8Array {
  if (!dataUrl.startsWith(PREFIX)) throw new Error(`${name}: not a PNG data URL`);
  const base64 = dataUrl.slice(PREFIX.length);
  if (base64.length > Math.ceil(PNG_LIMITS.maxBytes / 3) * 4) throw new Error(`${name}: the image is larger than ${PNG_LIMITS.maxBytes / 2 ** 20} MiB`);
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(base64)) throw new Error(`${name}: the image data is not base64`);
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error(`${name}: the data is not a PNG image (no PNG signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (view.getUint32(8) !== 13 || ihdr !== 'IHDR') throw new Error(`${name}: the PNG image has no header (IHDR) chunk`);
  if (width < 1 || height < 1 || width > PNG_LIMITS.maxSide || height > PNG_LIMITS.maxSide)
    throw new Error(`${name}: a ${width} x ${height} image is outside 1 to ${PNG_LIMITS.maxSide} pixels a side`);
  return bytes;
}

/** Names Windows refuses whatever their extension. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/iu;

/** The file name stem for an image name: at most 100 characters, never a reserved device name. */
export function fileStem(name: string): string {
  const stem = name.slice(0, 100);
  return RESERVED.test(stem) ? `_${stem}` : stem;
}

/**
 * A file name per image that neither an existing file nor an earlier image of the same export has:
 * NAME.png, else NAME-2.png, NAME-3.png, ... A re-export into the same folder keeps the earlier
 * files, and two images of the same name both arrive (names compare case-insensitively, as on
 * Windows and macOS).
 */
export async function freshNames(names: readonly string[], exists: (file: string) => Promise<boolean>): Promise<string[]> {
  const taken = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    const stem = fileStem(name);
    for (let k = 1; ; k++) {
      const file = `${stem}${k === 1 ? '' : `-${k}`}.png`;
      if (taken.has(file.toLowerCase()) || (await exists(file))) continue;
      taken.add(file.toLowerCase());
      out.push(file);
      break;
    }
  }
  return out;
}
