import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { dump } from 'npyjs';
import { encodeNpyMatrix, parseNpyMatrix } from '../src/engine/npy';
import { alternateQkv, syntheticQkv } from '../src/engine/qkv';
import { checkTokenLimit, parseIdList, tokenizeText, tokenizeUserInput, tokensFromIds } from '../src/engine/tokens';
import { variantById } from '../src/engine/variants/registry';
import { EngineError } from '../src/model/errors';
import { LIMITS } from '../src/model/limits';
import { describeParam, resolveParams } from '../src/model/params';

describe('tokens', () => {
  it('splits text with the BPE vocabularies shipped with gpt-tokenizer', () => {
    const o200k = tokenizeText('Attention is all you need.', 'o200k_base');
    assert.deepEqual(o200k.map((t) => t.text).join(''), 'Attention is all you need.');
    assert.ok(o200k.length >= 5 && o200k.length <= 8);
    const cl100k = tokenizeText('Attention is all you need.', 'cl100k_base');
    assert.deepEqual(cl100k.map((t) => t.text).join(''), 'Attention is all you need.');
    assert.notDeepEqual(
      o200k.map((t) => t.id),
      cl100k.map((t) => t.id),
    );
  });

  it('reads special-token markers as plain text', () => {
    assert.ok(tokenizeText('a <|endoftext|> b', 'cl100k_base').length > 3);
  });

  it('splits on white space, the same word getting the same id', () => {
    const t = tokenizeText(' to be\nor  not to be ', 'whitespace');
    assert.deepEqual(
      t.map((x) => x.text),
      ['to', 'be', 'or', 'not', 'to', 'be'],
    );
    assert.equal(t[0].id, t[4].id);
    assert.notEqual(t[0].id, t[1].id);
  });

  it('parses id lists separated by commas or spaces, with or without "ids:"', () => {
    assert.deepEqual(parseIdList('1, 2 3,4'), [1, 2, 3, 4]);
    assert.deepEqual(parseIdList('ids: 7 8'), [7, 8]);
    assert.deepEqual(
      tokenizeUserInput('ids: 15339, 1917', 'cl100k_base').map((t) => t.text),
      ['hello', ' world'],
    );
    assert.deepEqual(tokensFromIds([999999999], 'o200k_base')[0].text, '#999999999');
    assert.throws(() => parseIdList('1.5'), /bad token id "1.5" at position 0/u);
    assert.throws(() => parseIdList('ids:'), /the id list is empty/u);
    assert.throws(() => parseIdList('99999999999'), /below 2\^31/u);
  });

  it('refuses empty text', () => {
    assert.throws(() => tokenizeText(' \n ', 'o200k_base'), /the input text is empty/u);
  });
});

/** The parts of gpt-tokenizer's vocabulary module the engine calls, to count what it asks of them. */
interface BpeCalls {
  encode: (...args: unknown[]) => unknown;
  encodeGenerator: (text: string, ...rest: unknown[]) => Iterable<number[]>;
  decode: (...args: unknown[]) => unknown;
}

/** Runs `body` with the o200k_base module's encode, encodeGenerator and decode counted. */
function countingBpeCalls(body: () => void): { encodeCalls: number; encodedChars: number; decodeCalls: number } {
  const bpe = createRequire(__filename)('gpt-tokenizer/encoding/o200k_base') as BpeCalls;
  const original = { encode: bpe.encode, encodeGenerator: bpe.encodeGenerator, decode: bpe.decode };
  const calls = { encodeCalls: 0, encodedChars: 0, decodeCalls: 0 };
  bpe.encode = (...args) => {
    calls.encodeCalls++;
    return original.encode(...args);
  };
  bpe.encodeGenerator = (text, ...rest) => {
    calls.encodedChars += text.length;
    return original.encodeGenerator(text, ...rest);
  };
  bpe.decode = (...args) => {
    calls.decodeCalls++;
    return original.decode(...args);
  };
  try {
    body();
  } finally {
    Object.assign(bpe, original);
  }
  return calls;
}

function isTooManyTokens(limit: number) {
  return (err: unknown) => err instanceof EngineError && err.detail.code === 'too-many-tokens' && err.detail.limit === limit && err.detail.count > limit;
}

describe('the token limit, checked while tokenizing', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  it('refuses a 20 MB text after encoding only its beginning, and decodes no token', () => {
    // Words with spaces, and one run with none (the tokenizer's slowest case), each 20 MB.
    for (const text of ['Attention 注意力 😀🚀 is all you need. '.repeat(20_000_000 / 40), '😀注意力🚀機制🎉'.repeat(20_000_000 / 24)]) {
      const calls = countingBpeCalls(() => assert.throws(() => tokenizeText(text, 'o200k_base', 1000), isTooManyTokens(1000)));
      assert.equal(calls.encodeCalls, 0, 'the whole text is never encoded');
      assert.equal(calls.decodeCalls, 0, 'no token is decoded');
      assert.ok(calls.encodedChars < 20_000, `only the beginning is encoded (${calls.encodedChars} of ${text.length} characters)`);
    }
  });

  it('gives the tokens of the tokenizer itself for a text within the limit, long runs included', () => {
    const cjkRun = '注意力机制是变换器模型的核心组件'.repeat(400);
    for (const tokenizer of ['o200k_base', 'cl100k_base'] as const) {
      for (const text of [readme, cjkRun, `${readme}\n${cjkRun}😀🚀\n${readme}`]) {
        assert.deepEqual(tokenizeText(text, tokenizer, LIMITS.maxTokens), tokenizeText(text, tokenizer));
      }
    }
  });

  it('accepts a text of exactly the limit and refuses one token more', () => {
    for (const tokenizer of ['o200k_base', 'cl100k_base', 'whitespace'] as const) {
      const n = tokenizeText(readme, tokenizer).length;
      assert.equal(tokenizeText(readme, tokenizer, n).length, n);
      checkTokenLimit(readme, tokenizer, n);
      assert.throws(() => tokenizeText(readme, tokenizer, n - 1), isTooManyTokens(n - 1));
      assert.throws(() => checkTokenLimit(readme, tokenizer, n - 1), isTooManyTokens(n - 1));
    }
  });

  it('stops reading an id list at the limit', () => {
    assert.deepEqual(parseIdList('1, 2 3', 3), [1, 2, 3]);
    // The bad id after the limit is never read.
    assert.throws(() => parseIdList(`${'7,'.repeat(1_000_000)}x`, 100), isTooManyTokens(100));
    assert.throws(() => tokenizeUserInput('ids: 1 2 3 4', 'whitespace', 3), isTooManyTokens(3));
  });
});

describe('synthetic Q, K, V', () => {
  const tokens = [5, 9, 5].map((id) => ({ id, text: String(id) }));
  it('is deterministic in (tokens, d, seed) and differs with the seed', () => {
    const a = syntheticQkv(tokens, 8, 3);
    assert.deepEqual(a, syntheticQkv(tokens, 8, 3));
    assert.notDeepEqual(a.q, syntheticQkv(tokens, 8, 4).q);
  });
  it('gives the same token the same embedding, told apart by its position', () => {
    const a = syntheticQkv(tokens, 8, 3);
    assert.notDeepEqual(a.q.subarray(0, 8), a.q.subarray(16, 24));
    const spread = Math.sqrt(a.q.reduce((s, x) => s + x * x, 0) / a.q.length);
    assert.ok(spread > 0.5 && spread < 3, `entries have unit-order spread (${spread})`);
  });
  it('alternates with a second input set of the same shape and different bytes', () => {
    const a = syntheticQkv(tokens, 8, 3);
    const b = alternateQkv(a);
    assert.equal(b.q.length, a.q.length);
    assert.notDeepEqual(b.q, a.q);
  });
});

describe('.npy files', () => {
  it('round-trips float32 [N, d] and reads float64', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    const m = parseNpyMatrix(encodeNpyMatrix(data, 3, 4), 'x.npy');
    assert.deepEqual([m.rows, m.cols], [3, 4]);
    assert.deepEqual(m.data, data);
  });
  it('names the file and the entry that overflows float32', () => {
    const bytes = new Uint8Array(dump(Float64Array.from([1, 2, 1e300, 4]), [2, 2], { dtype: 'f8' }));
    assert.throws(() => parseNpyMatrix(bytes, 'q.npy'), /q\.npy: value at \[1, 0\] \(1e\+300\) overflows float32/u);
  });
  it('refuses integer arrays', () => {
    const bytes = new Uint8Array(dump(Int32Array.from([1, 2]), [1, 2], { dtype: 'i4' }));
    assert.throws(() => parseNpyMatrix(bytes, 'k.npy'), /k\.npy: dtype i4 is not supported/u);
  });
});

describe('parameters', () => {
  it('fills defaults, including those that depend on N', () => {
    assert.deepEqual(resolveParams('strided', variantById('strided').params, {}, 100), { stride: 10, pattern: 'union', convention: 'code' });
    assert.deepEqual(resolveParams('fixed', variantById('fixed').params, {}, 4096), { block: 64, summary: 8 });
  });
  it('clamps a default that does not fit a short input and keeps user values exact', () => {
    assert.equal(resolveParams('local', variantById('local').params, {}, 10).block, 10);
    assert.throws(() => resolveParams('local', variantById('local').params, { block: '11' }, 10), /local.block = 11 is out of range: 1 <= block <= N \(here 1..10, N = 10\)/u);
  });
  it('checks ranges that depend on other parameters', () => {
    assert.throws(() => resolveParams('fixed', variantById('fixed').params, { block: '4', summary: '5' }, 64), /fixed.summary = 5 is out of range: 1 <= summary <= l/u);
    assert.throws(() => resolveParams('blockwise', variantById('blockwise').params, { blocks: '3', shift: '3' }, 64), /blockwise.shift = 3 is out of range/u);
  });
  it('parses enums, booleans and positions', () => {
    assert.throws(() => resolveParams('aft', variantById('aft').params, { mode: 'huge' }, 8), /aft.mode = "huge" is not one of simple \| local \| full/u);
    assert.equal(resolveParams('transformer-xl', variantById('transformer-xl').params, { sameLength: 'true' }, 8).sameLength, true);
    assert.throws(() => resolveParams('global', variantById('global').params, { globals: '0,99' }, 10), /global.globals: position 99 is out of range 0..9/u);
    assert.throws(() => resolveParams('global', variantById('global').params, { globals: '1,1' }, 10), /lists a position twice/u);
  });
  it('describes defaults and ranges for the UI', () => {
    assert.deepEqual(describeParam('window', variantById('sliding').params.window), { default: '32', range: '1 <= window <= 65536' });
  });
});
