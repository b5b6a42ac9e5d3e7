import { Inflate, deflateSync } from 'fflate';

/**
 * Bytes as text for the maps of a saved report (src/model/maps.ts): raw deflate (RFC 1951) by
 * fflate (small, dependency-free, synchronous, the same in Node, VS Code and the browser), then
 * base64 (RFC 4648) with the runtime's btoa/atob (globals in Node 16+ and every browser).
 */

/** Base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // String.fromCharCode takes its arguments on the stack: 32 KiB at a time.
  for (let i = 0; i < bytes.length; i += 32768) parts.push(String.fromCharCode(...bytes.subarray(i, i + 32768)));
  return btoa(parts.join(''));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/u;

/** Base64 with padding, strictly: the error says what is wrong. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`base64 text has ${text.length} characters, not a multiple of 4`);
  if (!BASE64.test(text)) {
    const bad = [...text].findIndex(
      (c, i) =>
        !/[A-Za-z0-9+/]/u.test(c) &&
        !(
          c === '=' &&
          i >= text.length - 2 &&
          text
            .slice(i)
            .split('')
            .every((p) => p === '=')
        ),
    );
    throw new Error(`base64 text has a bad character at ${bad}`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function deflateRaw(data: Uint8Array): Uint8Array {
  return deflateSync(data, { level: 6 });
}

/**
 * The largest raw deflate stream of `size` bytes a file may hold: zlib's deflateBound (stored
 * blocks at worst) and a little more.
 */
export function deflateBound(size: number): number {
  return size + (size >>> 12) + (size >>> 14) + 64;
}

/** Input bytes inflated per step: one step writes at most ~1 MB however the stream was made. */
const INFLATE_STEP = 1024;

/**
 * Inflates raw deflate data that must come out at exactly `expectedSize` bytes. The stream is fed
 * in small steps and refused as soon as it holds more than stated, so no file (a deflate bomb)
 * can make it allocate much more than it said.
 */
export function inflateRaw(input: Uint8Array, expectedSize: number): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let size = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    if (size + chunk.length > expectedSize) throw new Error(`the compressed data holds more than the ${expectedSize} bytes stated`);
    out.set(chunk, size);
    size += chunk.length;
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < input.length; at += INFLATE_STEP) inflate.push(input.subarray(at, at + INFLATE_STEP), at + INFLATE_STEP >= input.length);
    if (input.length === 0) inflate.push(input, true);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith('the compressed data')) throw err;
    if (/unexpected EOF/u.test(message)) throw new Error('the compressed data ends early', { cause: err });
    throw new Error(`the compressed data is not valid deflate (${message})`, { cause: err });
  }
  if (!ended) throw new Error('the compressed data ends early');
  if (size !== expectedSize) throw new Error(`the compressed data holds ${size} bytes, not the ${expectedSize} stated`);
  return out;
}
