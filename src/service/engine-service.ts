import { EngineError, inputError } from '../model/errors';
import { LIMITS } from '../model/limits';
import { isIdList } from '../model/tokenizers';
import { probeOnce } from '../engine/backends';
import { profile, type InputSpec } from '../engine/profile';
import { sweep } from '../engine/sweep';
import { tokenizeUserInput, type Token } from '../engine/tokens';
import type { Handlers } from '../protocol/channel';
import type { EngineInput, EngineSide } from '../protocol/engine';

/**
 * The engine channel served on top of the engine: the same handlers for the extension's worker
 * thread and for the view's GPU worker, so both lanes run requests the same way. A host adds how
 * it sees a cancel (`cancelled`, besides the channel's own cancel message) and whether it can
 * tokenize (the view's GPU worker ships no vocabulary: its host sends tokens).
 */
export function engineHandlers(host: { isCancelled(id: number): boolean; canTokenize: boolean }): Handlers<EngineSide> {
  const toInput = (input: EngineInput): InputSpec => {
    if (input.kind === 'tokens') return { kind: 'tokens', tokens: input.tokens, from: input.from, source: input.from === 'ids' ? 'ids' : 'editor text' };
    if (!host.canTokenize) throw inputError('this side has no tokenizer: send the tokens (the extension host asks the worker for them)');
    return isIdList(input.text) ? { kind: 'ids', ids: input.text } : { kind: 'text', text: input.text, source: 'editor text' };
  };
  const tokensOf = (input: EngineInput, settings: { tokenizer: Parameters<typeof tokenizeUserInput>[1] }): readonly Token[] | undefined => {
    if (input.kind === 'tokens') return input.tokens.length > 0 ? input.tokens : undefined;
    if (input.text.trim() === '') return undefined;
    if (!host.canTokenize) throw inputError('this side has no tokenizer: send the tokens');
    return tokenizeUserInput(input.text, settings.tokenizer, LIMITS.maxTokens);
  };
  return {
    probe: ({ backends }) => Promise.all(backends.map((b) => probeOnce(b))),
    profile: ({ input, settings }, call) =>
      profile({ ...settings, input: toInput(input) }, { onProgress: (e) => call.progress(e), shouldCancel: () => call.cancelled() || host.isCancelled(call.id) }),
    sweep: ({ input, settings }, call) => {
      const tokens = tokensOf(input, settings);
      return sweep({ ...settings, ...(tokens ? { tokens } : {}) }, { onProgress: (e) => call.progress(e), shouldCancel: () => call.cancelled() || host.isCancelled(call.id) });
    },
    tokenize: ({ text, tokenizer, maxTokens }) => {
      const tokens = tokenizeUserInput(text, tokenizer, maxTokens);
      if (tokens.length > maxTokens) throw new EngineError({ code: 'too-many-tokens', count: tokens.length, limit: maxTokens, hardLimit: LIMITS.maxTokens });
      return Promise.resolve({ tokens: tokens.map(({ id, text: t }) => ({ id, text: t })), from: isIdList(text) ? 'ids' : 'text' });
    },
    countTokens: ({ text, tokenizer, maxTokens }) => {
      try {
        // Counting stops one past the limit, so a pasted book is not tokenized whole.
        return Promise.resolve({ count: tokenizeUserInput(text, tokenizer, maxTokens).length });
      } catch (err) {
        if (err instanceof EngineError && err.detail.code === 'too-many-tokens') return Promise.resolve({ error: `more than ${maxTokens} tokens, the limit` });
        return Promise.resolve({ error: err instanceof Error ? err.message : String(err) });
      }
    },
  };
}
