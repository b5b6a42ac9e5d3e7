/**
 * Bytes as text, small and standard, in pure TypeScript (the model runs in Node, VS Code and the
 * browser, synchronously; it imports no Node built-in): base64 (RFC 4648) and raw deflate
 * (RFC 1951), what the maps of a saved report are stored with (src/model/maps.ts).
 *
 * `deflateRaw` writes LZ77 matches (32 KiB window) with deflate's fixed Huffman codes, or stored
 * blocks when those would be larger; `inflateRaw` reads any raw deflate stream (stored, fixed and
 * dynamic blocks), so files written by zlib, pako or fflate read too, and a faster or tighter
 * encoder can replace this one without changing the format.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const n = (a << 16) | (b << 8) | c;
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? ALPHABET[n & 63] : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Base64 with padding, strictly: the error names the first bad character. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`base64 text has ${text.length} characters, not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const code = text.charCodeAt(i + k);
      const value = code < 128 ? DECODE[code] : -1;
      const pad = code === 61 && i + k >= text.length - padding;
      if (value < 0 && !pad) throw new Error(`base64 text has a bad character at ${i + k}`);
      n = (n << 6) | (pad ? 0 : value);
    }
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

// RFC 1951 tables: length codes 257..285 and distance codes 0..29 (base values and extra bits).
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Length 3..258 -> its length code index (0..28); distance 1..32768 -> its distance code. */
const LENGTH_CODE = new Uint8Array(259);
for (let code = 0; code < 29; code++) {
  const end = code === 28 ? 259 : LENGTH_BASE[code + 1];
  for (let len = LENGTH_BASE[code]; len < end; len++) LENGTH_CODE[len] = code;
}
LENGTH_CODE[258] = 28;
function distanceCode(dist: number): number {
  let code = 0;
  while (code < 29 && DIST_BASE[code + 1] <= dist) code++;
  return code;
}

class BitWriter {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;
  private acc = 0;
  private bits = 0;

  /** `count` bits of `value`, least significant first (deflate's order for everything but codes). */
  write(value: number, count: number): void {
    this.acc |= value << this.bits;
    this.bits += count;
    while (this.bits >= 8) {
      this.byte(this.acc & 255);
      this.acc >>>= 8;
      this.bits -= 8;
    }
  }

  /** A Huffman code: its bits go most significant first. */
  code(code: number, length: number): void {
    let reversed = 0;
    for (let i = 0; i < length; i++) reversed |= ((code >> i) & 1) << (length - 1 - i);
    this.write(reversed, length);
  }

  align(): void {
    if (this.bits > 0) this.write(0, 8 - this.bits);
  }

  byte(b: number): void {
    if (this.pos === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.pos++] = b;
  }

  bytes(): Uint8Array {
    this.align();
    return this.buf.slice(0, this.pos);
  }
}

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const MAX_CHAIN = 64;

/**
 * LZ77 with hash chains and one-step lazy matching: token k is the literal `value[k]` when
 * `length[k]` is 0, else a match of `length[k]` bytes `value[k]` bytes back.
 */
function lz77(data: Uint8Array): { length: Uint16Array; value: Uint16Array; count: number } {
  const length = new Uint16Array(data.length);
  const value = new Uint16Array(data.length);
  let count = 0;
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(WINDOW);
  const hash = (i: number) => ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & ((1 << HASH_BITS) - 1);
  const insert = (i: number) => {
    if (i + MIN_MATCH > data.length) return;
    const h = hash(i);
    prev[i & (WINDOW - 1)] = head[h];
    head[h] = i;
  };
  let bestLen = 0;
  let bestDist = 0;
  /** The longest match at i, into bestLen and bestDist (0 when shorter than MIN_MATCH). */
  const longest = (i: number): void => {
    bestLen = 0;
    bestDist = 0;
    if (i + MIN_MATCH > data.length) return;
    const limit = Math.min(MAX_MATCH, data.length - i);
    let candidate = head[hash(i)];
    for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
      if (data[candidate + bestLen] === data[i + bestLen]) {
        let len = 0;
        while (len < limit && data[candidate + len] === data[i + len]) len++;
        if (len > bestLen) {
          bestLen = len;
          bestDist = i - candidate;
          if (len === limit) break;
        }
      }
      const next = prev[candidate & (WINDOW - 1)];
      if (next >= candidate) break;
      candidate = next;
    }
    if (bestLen < MIN_MATCH) bestLen = bestDist = 0;
  };
  const literal = (i: number) => {
    length[count] = 0;
    value[count++] = data[i];
  };
  let i = 0;
  longest(i);
  while (i < data.length) {
    const len = bestLen;
    const dist = bestDist;
    insert(i);
    if (len === 0) {
      literal(i++);
      longest(i);
      continue;
    }
    // Lazy matching: a longer match one byte on wins over this one.
    if (len < 32) {
      longest(i + 1);
      if (bestLen > len) {
        literal(i++);
        continue;
      }
    }
    length[count] = len;
    value[count++] = dist;
    for (let k = 1; k < len; k++) insert(i + k);
    i += len;
    longest(i);
  }
  return { length, value, count };
}

/**
 * Code lengths of a Huffman code for these frequencies, none longer than maxBits (frequencies are
 * halved until it fits: near optimal, always terminates). Fewer than two symbols in use get two
 * codes of one bit, so that every decoder takes the code.
 */
function codeLengths(freqs: ArrayLike<number>, maxBits: number): Uint8Array {
  const n = freqs.length;
  const lengths = new Uint8Array(n);
  let weights = Array.from(freqs);
  const used = weights.flatMap((f, s) => (f > 0 ? [s] : []));
  if (used.length < 2) {
    lengths[used[0] ?? 0] = 1;
    lengths[(used[0] ?? 0) === 0 ? 1 : 0] = 1;
    return lengths;
  }
  for (;;) {
    // Two-queue Huffman: leaves sorted by weight, internal nodes made in increasing weight.
    const leaves = [...used].sort((x, y) => weights[x] - weights[y] || x - y);
    const weight: number[] = leaves.map((s) => weights[s]);
    const parent: number[] = new Array<number>(leaves.length * 2).fill(-1);
    let leaf = 0;
    let node = leaves.length;
    let nextNode = leaves.length;
    const take = () => (leaf < leaves.length && (node >= nextNode || weight[leaf] <= weight[node]) ? leaf++ : node++);
    while (nextNode < leaves.length * 2 - 1) {
      const x = take();
      const y = take();
      weight[nextNode] = weight[x] + weight[y];
      parent[x] = parent[y] = nextNode++;
    }
    const depth = new Array<number>(nextNode).fill(0);
    for (let k = nextNode - 2; k >= 0; k--) depth[k] = depth[parent[k]] + 1;
    if (Math.max(...depth.slice(0, leaves.length)) <= maxBits) {
      leaves.forEach((s, k) => (lengths[s] = depth[k]));
      return lengths;
    }
    weights = weights.map((f) => (f > 0 ? Math.ceil(f / 2) : 0));
  }
}

/** The canonical codes of these lengths (RFC 1951 3.2.2). */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const count = new Uint16Array(16);
  for (const len of lengths) count[len]++;
  count[0] = 0;
  const next = new Uint16Array(16);
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  return Uint16Array.from(lengths, (len) => (len === 0 ? 0 : next[len]++));
}

const FIXED_LENGTHS = Uint8Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8));
const FIXED_DIST_LENGTHS = new Uint8Array(30).fill(5);

/** Tokens per block: each block gets the codes of its own statistics. */
const BLOCK_TOKENS = 1 << 15;

/**
 * Raw deflate (RFC 1951, no zlib or gzip header): LZ77, then per block of tokens the smallest of
 * a dynamic Huffman block, a fixed one and stored bytes.
 */
export function deflateRaw(data: Uint8Array): Uint8Array {
  const w = new BitWriter();
  const { length, value, count } = lz77(data);
  let start = 0;
  let byteStart = 0;
  do {
    const end = Math.min(count, start + BLOCK_TOKENS);
    const final = end === count ? 1 : 0;
    const litFreq = new Uint32Array(286);
    const distFreq = new Uint32Array(30);
    let extraBits = 0;
    let bytes = 0;
    for (let k = start; k < end; k++) {
      if (length[k] === 0) {
        litFreq[value[k]]++;
        bytes++;
      } else {
        const lc = LENGTH_CODE[length[k]];
        const dc = distanceCode(value[k]);
        litFreq[257 + lc]++;
        distFreq[dc]++;
        extraBits += LENGTH_EXTRA[lc] + DIST_EXTRA[dc];
        bytes += length[k];
      }
    }
    litFreq[256] = 1;
    const litLengths = codeLengths(litFreq, 15);
    const distLengths = codeLengths(distFreq, 15);
    const cost = (lit: Uint8Array, dist: Uint8Array) => {
      let bits = extraBits;
      for (let s = 0; s < 286; s++) bits += litFreq[s] * lit[s];
      for (let s = 0; s < 30; s++) bits += distFreq[s] * dist[s];
      return bits;
    };
    const header = dynamicHeader(litLengths, distLengths);
    const dynamicBits = 3 + header.bits + cost(litLengths, distLengths);
    const fixedBits = 3 + cost(FIXED_LENGTHS, FIXED_DIST_LENGTHS);
    const storedBits = 3 + 7 + (bytes + 5 * Math.ceil(bytes / 65535)) * 8;
    if (storedBits < Math.min(dynamicBits, fixedBits)) {
      for (let offset = 0; offset < bytes || (offset === 0 && bytes === 0);) {
        const len = Math.min(65535, bytes - offset);
        w.write(final && offset + len >= bytes ? 1 : 0, 1);
        w.write(0, 2);
        w.align();
        w.write(len, 16);
        w.write(~len & 0xffff, 16);
        for (let k = 0; k < len; k++) w.byte(data[byteStart + offset + k]);
        offset += len;
        if (len === 0) break;
      }
    } else {
      const dynamic = dynamicBits < fixedBits;
      w.write(final, 1);
      w.write(dynamic ? 2 : 1, 2);
      const lit = dynamic ? litLengths : FIXED_LENGTHS;
      const dist = dynamic ? distLengths : FIXED_DIST_LENGTHS;
      if (dynamic) header.write(w);
      const litCodes = canonicalCodes(lit);
      const distCodes = canonicalCodes(dist);
      for (let k = start; k < end; k++) {
        if (length[k] === 0) {
          w.code(litCodes[value[k]], lit[value[k]]);
          continue;
        }
        const lc = LENGTH_CODE[length[k]];
        w.code(litCodes[257 + lc], lit[257 + lc]);
        if (LENGTH_EXTRA[lc] > 0) w.write(length[k] - LENGTH_BASE[lc], LENGTH_EXTRA[lc]);
        const dc = distanceCode(value[k]);
        w.code(distCodes[dc], dist[dc]);
        if (DIST_EXTRA[dc] > 0) w.write(value[k] - DIST_BASE[dc], DIST_EXTRA[dc]);
      }
      w.code(litCodes[256], lit[256]);
    }
    start = end;
    byteStart += bytes;
  } while (start < count);
  return w.bytes();
}

/** The header of a dynamic block: the code lengths, run-length coded with the code length code. */
function dynamicHeader(litLengths: Uint8Array, distLengths: Uint8Array): { bits: number; write(w: BitWriter): void } {
  let hlit = 286;
  while (hlit > 257 && litLengths[hlit - 1] === 0) hlit--;
  let hdist = 30;
  while (hdist > 1 && distLengths[hdist - 1] === 0) hdist--;
  const all = [...litLengths.subarray(0, hlit), ...distLengths.subarray(0, hdist)];
  // Runs: 16 repeats the previous length 3-6 times, 17 and 18 write 3-10 and 11-138 zeros.
  const symbols: Array<[number, number]> = [];
  for (let i = 0; i < all.length;) {
    const len = all[i];
    let run = 1;
    while (i + run < all.length && all[i + run] === len) run++;
    if (len === 0 && run >= 3) {
      const n = Math.min(run, 138);
      symbols.push(n >= 11 ? [18, n - 11] : [17, n - 3]);
      i += n;
    } else if (len !== 0 && run >= 4) {
      symbols.push([len, 0]);
      const n = Math.min(run - 1, 6);
      symbols.push([16, n - 3]);
      i += 1 + n;
    } else {
      symbols.push([len, 0]);
      i++;
    }
  }
  const freq = new Uint32Array(19);
  for (const [symbol] of symbols) freq[symbol]++;
  const clLengths = codeLengths(freq, 7);
  const clCodes = canonicalCodes(clLengths);
  let hclen = 19;
  while (hclen > 4 && clLengths[CODE_LENGTH_ORDER[hclen - 1]] === 0) hclen--;
  const EXTRA: Record<number, number> = { 16: 2, 17: 3, 18: 7 };
  let bits = 14 + hclen * 3;
  for (const [symbol] of symbols) bits += clLengths[symbol] + (EXTRA[symbol] ?? 0);
  return {
    bits,
    write(w) {
      w.write(hlit - 257, 5);
      w.write(hdist - 1, 5);
      w.write(hclen - 4, 4);
      for (let k = 0; k < hclen; k++) w.write(clLengths[CODE_LENGTH_ORDER[k]], 3);
      for (const [symbol, extra] of symbols) {
        w.code(clCodes[symbol], clLengths[symbol]);
        if (symbol >= 16) w.write(extra, EXTRA[symbol]);
      }
    },
  };
}

/**
 * The largest raw deflate stream of `size` bytes that a file may hold: zlib's bound (stored blocks
 * of 16 KiB at worst) and a little more; `deflateRaw` stays within it (stored blocks of 64 KiB).
 */
export function deflateBound(size: number): number {
  return size + (size >>> 12) + (size >>> 14) + 64;
}

/** A canonical Huffman code for decoding: how many codes of each length, and the symbols in code order. */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function huffman(lengths: ArrayLike<number>, what: string): Huffman {
  const counts = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = left * 2 - counts[len];
    if (left < 0) throw new Error(`the ${what} code is over-subscribed`);
  }
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) symbols[offsets[lengths[s]]++] = s;
  return { counts, symbols };
}

const FIXED_LITERALS = huffman(
  Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
  'fixed literal',
);
const FIXED_DISTANCES = huffman(new Array<number>(30).fill(5), 'fixed distance');

/**
 * Inflates raw deflate data that must come out at exactly `expectedSize` bytes: it never writes
 * more (a stream that would is refused at once, so no file can make it allocate more than it said).
 */
export function inflateRaw(input: Uint8Array, expectedSize: number): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let outPos = 0;
  let inPos = 0;
  let acc = 0;
  let bits = 0;
  const need = (count: number): number => {
    while (bits < count) {
      if (inPos >= input.length) throw new Error('the compressed data ends early');
      acc |= input[inPos++] << bits;
      bits += 8;
    }
    const value = acc & ((1 << count) - 1);
    acc >>>= count;
    bits -= count;
    return value;
  };
  const decode = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= need(1);
      const count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Error('the compressed data has an invalid code');
  };
  const put = (b: number) => {
    if (outPos >= expectedSize) throw new Error(`the compressed data holds more than the ${expectedSize} bytes stated`);
    out[outPos++] = b;
  };
  let final = 0;
  while (!final) {
    final = need(1);
    const type = need(2);
    if (type === 0) {
      acc = 0;
      bits = 0;
      if (inPos + 4 > input.length) throw new Error('the compressed data ends early');
      const len = input[inPos] | (input[inPos + 1] << 8);
      const nlen = input[inPos + 2] | (input[inPos + 3] << 8);
      inPos += 4;
      if ((len ^ 0xffff) !== nlen) throw new Error('a stored block has a bad length');
      if (inPos + len > input.length) throw new Error('the compressed data ends early');
      for (let k = 0; k < len; k++) put(input[inPos + k]);
      inPos += len;
      continue;
    }
    let literals = FIXED_LITERALS;
    let distances = FIXED_DISTANCES;
    if (type === 2) {
      const nlen = need(5) + 257;
      const ndist = need(5) + 1;
      const ncode = need(4) + 4;
      if (nlen > 286 || ndist > 30) throw new Error('a dynamic block has too many codes');
      const codeLengths = new Uint8Array(19);
      for (let k = 0; k < ncode; k++) codeLengths[CODE_LENGTH_ORDER[k]] = need(3);
      const lengthCode = huffman(codeLengths, 'code length');
      const lengths = new Uint8Array(nlen + ndist);
      for (let k = 0; k < nlen + ndist;) {
        const symbol = decode(lengthCode);
        if (symbol < 16) {
          lengths[k++] = symbol;
          continue;
        }
        let repeat: number;
        let value = 0;
        if (symbol === 16) {
          if (k === 0) throw new Error('a dynamic block repeats a length before the first');
          value = lengths[k - 1];
          repeat = 3 + need(2);
        } else repeat = symbol === 17 ? 3 + need(3) : 11 + need(7);
        if (k + repeat > nlen + ndist) throw new Error('a dynamic block has too many code lengths');
        for (let r = 0; r < repeat; r++) lengths[k++] = value;
      }
      if (lengths[256] === 0) throw new Error('a dynamic block has no end-of-block code');
      literals = huffman(lengths.subarray(0, nlen), 'literal/length');
      distances = huffman(lengths.subarray(nlen), 'distance');
    } else if (type !== 1) {
      throw new Error('the compressed data has an invalid block type');
    }
    for (;;) {
      const symbol = decode(literals);
      if (symbol < 256) {
        put(symbol);
        continue;
      }
      if (symbol === 256) break;
      const lc = symbol - 257;
      if (lc >= 29) throw new Error('the compressed data has an invalid length code');
      const len = LENGTH_BASE[lc] + need(LENGTH_EXTRA[lc]);
      const dc = decode(distances);
      if (dc >= 30) throw new Error('the compressed data has an invalid distance code');
      const dist = DIST_BASE[dc] + need(DIST_EXTRA[dc]);
      if (dist > outPos) throw new Error('the compressed data refers back before its start');
      if (outPos + len > expectedSize) throw new Error(`the compressed data holds more than the ${expectedSize} bytes stated`);
      for (let k = 0; k < len; k++, outPos++) out[outPos] = out[outPos - dist];
    }
  }
  if (outPos !== expectedSize) throw new Error(`the compressed data holds ${outPos} bytes, not the ${expectedSize} stated`);
  return out;
}
