/**
 * Tokenizers offered to users. `whitespace` is a plain split, handy for hand-made examples.
 * Pure names: naming a tokenizer does not load a vocabulary.
 */
export const TOKENIZERS = ['o200k_base', 'cl100k_base', 'whitespace'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

export function isTokenizerName(value: string): value is TokenizerName {
  return (TOKENIZERS as readonly string[]).includes(value);
}

/** Text typed or pasted by a user that starts with "ids:" is a list of token ids. */
export function isIdList(text: string): boolean {
  return /^\s*ids:/iu.test(text);
}
