import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromViewSchema, fromWorkerSchema, parseMessage, toViewSchema, wireMapSchema } from '../src/protocol';

describe('protocol messages are validated where they arrive', () => {
  it('accepts the messages of each direction', () => {
    assert.ok(parseMessage(fromViewSchema, { type: 'run', input: { text: 'hi', tokenizer: 'cl100k_base' } }).ok);
    assert.ok(parseMessage(fromViewSchema, { type: 'cancel' }).ok);
    assert.ok(parseMessage(toViewSchema, { type: 'runEnded', runId: 3, outcome: 'cancelled', message: 'x' }).ok);
    assert.ok(parseMessage(fromWorkerSchema, { type: 'tokenCount', requestId: 1, count: 4 }).ok);
  });

  it('refuses malformed ones with the field that is wrong', () => {
    assert.deepEqual(parseMessage(fromViewSchema, { type: 'run', input: { text: 'hi', tokenizer: 'gpt9' } }), {
      ok: false,
      error: 'input.tokenizer: Invalid option: expected one of "o200k_base"|"cl100k_base"|"whitespace"',
    });
    assert.equal(parseMessage(fromViewSchema, { type: 'explode' }).ok, false);
    assert.equal(parseMessage(toViewSchema, null).ok, false);
    assert.equal(parseMessage(fromWorkerSchema, { type: 'progress', runId: 'one' }).ok, false);
  });

  it('carries map values as a Float32Array, nothing else', () => {
    const map = { id: 'full', kind: 'mask', rows: 1, cols: 2, sourceRows: 1, sourceCols: 2, rowQuery: [0], values: new Float32Array(2) };
    assert.ok(parseMessage(wireMapSchema, map).ok);
    assert.equal(parseMessage(wireMapSchema, { ...map, values: [0, 1] }).ok, false);
  });
});
