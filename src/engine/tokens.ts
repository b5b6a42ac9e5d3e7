import { EngineError, inputError } from '../model/errors';
import { LIMITS } from '../model/limits';
import { isIdList, type TokenizerName } from '../model/tokenizers';
import { hashInts } from './rng';

export interface Token {
  /** Token id: the BPE id, the id the user gave, or a hash of the word for `whitespace`. */
  id: number;
  /** What the token stands for, for display ("#123" when an id has no string). */
  text: string;
}

interface EncodeOptions {
  disallowedSpecial?: Set<string>;
}

interface BpeModule {
  encode(text: string, options?: EncodeOptions): number[];
  /** The ids piece by piece (one pre-token at a time), so that encoding can stop early. */
  encodeGenerator(text: string, options?: EncodeOptions): Generator<number[], number, undefined>;
  decode(ids: Iterable<number>): string;
  vocabularySize: number;
}

/** Special-token markers (`<|endoftext|>`) are read as plain text. */
const PLAIN_TEXT: EncodeOptions = { disallowedSpecial: new Set() };

const bpeCache = new Map<string, BpeModule>();

/** Loaded lazily: each vocabulary costs tens of MB and a second to parse. */
function loadBpe(name: 'o200k_base' | 'cl100k_base'): BpeModule {
  let mod = bpeCache.get(name);
  if (!mod) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    mod = name === 'o200k_base' ? (require('gpt-tokenizer/encoding/o200k_base') as BpeModule) : (require('gpt-tokenizer/encoding/cl100k_base') as BpeModule);
    bpeCache.set(name, mod);
  }
  return mod;
}

/**
 * The engine's too-many-tokens error for an input found to have more than `limit` tokens. Counting
 * stops there, so the count is a lower bound: limit + 1 unless the exact count is known.
 */
function tooManyTokens(limit: number, count = limit + 1): EngineError {
  return new EngineError({ code: 'too-many-tokens', count, limit, hardLimit: LIMITS.maxTokens });
}

/**
 * How the limit check feeds a long text to the BPE tokenizer: in segments of about this many UTF-16
 * code units. gpt-tokenizer's merge is quadratic in the length of one pre-token (a run without a
 * space: CJK, emoji, a long URL): one run of 50,000 emoji takes 40 s; in segments it takes
 * milliseconds, and counting stops at the first segment that passes the limit.
 */
const COUNT_SEGMENT_UNITS = 2048;

/**
 * Tokens a cut inside a pre-token may add to the count (measured: at most 2, over 40,000 random
 * runs of letters, CJK, emoji and punctuation in both vocabularies). The check allows that much
 * per such cut, so that an input within the limit is not refused for them.
 */
const TOKENS_PER_INEXACT_CUT = 2;

/**
 * Where a text can be cut without changing its tokens: before a space that starts a word (the
 * pre-tokenizers of o200k_base and cl100k_base always end a piece there; the space begins the next
 * one), or after a newline that is followed by a letter or digit. Returns the last such cut at or
 * before `end` and after `start`, or -1.
 */
function lastExactCut(text: string, start: number, end: number): number {
  for (let i = end; i > start; i--) {
    const next = text.charCodeAt(i);
    if (next === 0x20) {
      const after = text[i + 1];
      if (after !== undefined && /\S/u.test(after)) return i;
    } else if (text.charCodeAt(i - 1) === 0x0a && /^[\p{L}\p{N}]/u.test(text.slice(i, i + 2))) {
      return i;
    }
  }
  return -1;
}

/**
 * The BPE ids of `text`, encoded segment by segment with the tokenizer's own `encodeGenerator`,
 * stopping as soon as there are more than `limit`: the rest of the text is never encoded, and no
 * token is decoded. Returns undefined for a text over the limit. Segments end where a cut changes
 * no token (see `lastExactCut`), so the ids are the tokenizer's own; a run longer than a segment
 * without such a place is cut anyway, with an allowance for the tokens that cut may add, and the
 * ids are then marked inexact (the caller encodes the whole text once more).
 */
function bpeIdsWithin(bpe: BpeModule, text: string, limit: number): { ids: number[]; exact: boolean } | undefined {
  const ids: number[] = [];
  let allowance = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + COUNT_SEGMENT_UNITS, text.length);
    if (end < text.length) {
      const cut = lastExactCut(text, start, end);
      if (cut > start) {
        end = cut;
      } else {
        allowance += TOKENS_PER_INEXACT_CUT;
        // Never between the two halves of a surrogate pair.
        const code = text.charCodeAt(end - 1);
        if (code >= 0xd800 && code <= 0xdbff) end -= 1;
      }
    }
    for (const piece of bpe.encodeGenerator(text.slice(start, end), PLAIN_TEXT)) {
      for (const id of piece) ids.push(id);
      if (ids.length > limit + allowance) return undefined;
    }
    start = end;
  }
  return { ids, exact: allowance === 0 };
}

/** Words of the `whitespace` tokenizer, up to `limit` + 1 of them. */
function* words(text: string): Generator<string> {
  for (const [word] of text.matchAll(/\S+/gu)) yield word;
}

/**
 * Refuses a text with more than `maxTokens` tokens (the engine's too-many-tokens error), encoding
 * only as far as the limit and decoding nothing: a 20 MB text is refused after its first few
 * hundred kB.
 */
export function checkTokenLimit(text: string, tokenizer: TokenizerName, maxTokens: number): void {
  if (tokenizer === 'whitespace') {
    let count = 0;
    for (const _ of words(text)) if (++count > maxTokens) throw tooManyTokens(maxTokens);
    return;
  }
  if (bpeIdsWithin(loadBpe(tokenizer), text, maxTokens) === undefined) throw tooManyTokens(maxTokens);
}

/**
 * Text -> tokens with the chosen tokenizer. Special-token markers are read as plain text. With
 * `maxTokens`, a longer text is refused before it is encoded in full or any token is decoded.
 */
export function tokenizeText(text: string, tokenizer: TokenizerName, maxTokens?: number): Token[] {
  if (text.trim().length === 0) throw inputError('the input text is empty');
  let tokens: Token[];
  if (tokenizer === 'whitespace') {
    if (maxTokens !== undefined) checkTokenLimit(text, tokenizer, maxTokens);
    tokens = Array.from(words(text), (w) => ({ id: hashString(w), text: w }));
  } else {
    const bpe = loadBpe(tokenizer);
    let ids: number[];
    if (maxTokens === undefined) {
      ids = bpe.encode(text, PLAIN_TEXT);
    } else {
      const within = bpeIdsWithin(bpe, text, maxTokens);
      if (within === undefined) throw tooManyTokens(maxTokens);
      ids = within.exact ? within.ids : bpe.encode(text, PLAIN_TEXT);
    }
    // The count above allows a little for cuts inside long runs; the exact ids decide.
    if (maxTokens !== undefined && ids.length > maxTokens) throw tooManyTokens(maxTokens, ids.length);
    tokens = ids.map((id) => ({ id, text: bpe.decode([id]) }));
  }
  return tokens;
}

/**
 * `ids: 1, 2 3` or `1,2,3`: integers separated by commas or white space. With `maxIds`, a longer
 * list is refused (too-many-tokens) at id maxIds + 1, without reading the rest.
 */
export function parseIdList(list: string, maxIds?: number): number[] {
  const body = list.trim().replace(/^ids:/iu, '').trim();
  const ids: number[] = [];
  for (const [part] of body.matchAll(/[^\s,]+/gu)) {
    const index = ids.length;
    if (maxIds !== undefined && index >= maxIds) throw tooManyTokens(maxIds);
    if (!/^\d+$/u.test(part)) {
      throw inputError(`bad token id "${part}" at position ${index}: ids are non-negative integers separated by commas or spaces`);
    }
    const id = Number(part);
    if (!Number.isSafeInteger(id) || id > LIMITS.maxTokenId) {
      throw inputError(`bad token id "${part}" at position ${index}: ids must be below 2^31`);
    }
    ids.push(id);
  }
  if (ids.length === 0) throw inputError('the id list is empty');
  return ids;
}

/** Token ids given by the user; their strings come from the tokenizer's vocabulary where it has them. */
export function tokensFromIds(ids: number[], tokenizer: TokenizerName): Token[] {
  if (tokenizer === 'whitespace') return ids.map((id) => ({ id, text: `#${id}` }));
  const bpe = loadBpe(tokenizer);
  return ids.map((id) => ({ id, text: id < bpe.vocabularySize ? safeDecode(bpe, id) : `#${id}` }));
}

/** Text typed or pasted by a user: `ids:` lists are token ids, anything else is text. `maxTokens` as in tokenizeText. */
export function tokenizeUserInput(input: string, tokenizer: TokenizerName, maxTokens?: number): Token[] {
  if (isIdList(input)) return tokensFromIds(parseIdList(input, maxTokens), tokenizer);
  return tokenizeText(input, tokenizer, maxTokens);
}

function safeDecode(bpe: BpeModule, id: number): string {
  try {
    return bpe.decode([id]);
  } catch {
    return `#${id}`;
  }
}

function hashString(s: string): number {
  let h = hashInts(s.length);
  for (let i = 0; i < s.length; i++) h = hashInts(h, s.charCodeAt(i));
  return h & 0x7fffffff;
}
