/** Tokenizers offered to users. `whitespace` is a plain split, handy for hand-made examples.
 * Kept apart from tokens.ts so that naming a tokenizer does not load a vocabulary. */
export const TOKENIZERS = ['o200k_base', 'cl100k_base', 'whitespace'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

export function isTokenizerName(value: string): value is TokenizerName {
  return (TOKENIZERS as readonly string[]).includes(value);
}
