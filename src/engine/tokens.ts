import { inputError } from '../model/errors';
import { LIMITS } from '../model/limits';
import { isIdList, type TokenizerName } from '../model/tokenizers';
import { hashInts } from './rng';

export interface Token {
  /** Token id: the BPE id, the id the user gave, or a hash of the word for `whitespace`. */
  id: number;
  /** What the token stands for, for display ("#123" when an id has no string). */
  text: string;
}

interface BpeModule {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(ids: Iterable<number>): string;
  vocabularySize: number;
}

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

/** Text -> tokens with the chosen tokenizer. Special-token markers are read as plain text. */
export function tokenizeText(text: string, tokenizer: TokenizerName): Token[] {
  if (text.trim().length === 0) throw inputError('the input text is empty');
  if (tokenizer === 'whitespace') {
    return text
      .split(/\s+/u)
      .filter((w) => w.length > 0)
      .map((w) => ({ id: hashString(w), text: w }));
  }
  const bpe = loadBpe(tokenizer);
  const ids = bpe.encode(text, { disallowedSpecial: new Set() });
  return ids.map((id) => ({ id, text: bpe.decode([id]) }));
}

/** `ids: 1, 2 3` or `1,2,3`: integers separated by commas or white space. */
export function parseIdList(list: string): number[] {
  const body = list.trim().replace(/^ids:/iu, '').trim();
  if (body.length === 0) throw inputError('the id list is empty');
  const parts = body.split(/[\s,]+/u).filter((p) => p.length > 0);
  if (parts.length === 0) throw inputError('the id list is empty');
  return parts.map((part, index) => {
    if (!/^\d+$/u.test(part)) {
      throw inputError(`bad token id "${part}" at position ${index}: ids are non-negative integers separated by commas or spaces`);
    }
    const id = Number(part);
    if (!Number.isSafeInteger(id) || id > LIMITS.maxTokenId) {
      throw inputError(`bad token id "${part}" at position ${index}: ids must be below 2^31`);
    }
    return id;
  });
}

/** Token ids given by the user; their strings come from the tokenizer's vocabulary where it has them. */
export function tokensFromIds(ids: number[], tokenizer: TokenizerName): Token[] {
  if (tokenizer === 'whitespace') return ids.map((id) => ({ id, text: `#${id}` }));
  const bpe = loadBpe(tokenizer);
  return ids.map((id) => ({ id, text: id < bpe.vocabularySize ? safeDecode(bpe, id) : `#${id}` }));
}

/** Text typed or pasted by a user: `ids:` lists are token ids, anything else is text. */
export function tokenizeUserInput(input: string, tokenizer: TokenizerName): Token[] {
  if (isIdList(input)) return tokensFromIds(parseIdList(input), tokenizer);
  return tokenizeText(input, tokenizer);
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
