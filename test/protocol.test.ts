import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { EngineError } from '../src/model/errors';
import { mapSchema } from '../src/model/maps';
import { validate } from '../src/model/validation';
import { type CallFailure, Endpoint, method, type Port, type SideSpec } from '../src/protocol/channel';
import { engineSide } from '../src/protocol/engine';
import { hostSide, viewSide } from '../src/protocol/view';

/** Two ports joined back to back, delivering asynchronously as a real channel does. */
function portPair(): [Port, Port] {
  const listeners: Array<((m: unknown) => void) | undefined> = [undefined, undefined];
  const make = (self: number, other: number): Port => ({
    post: (message) => setTimeout(() => listeners[other]?.(structuredClone(message)), 0),
    listen: (listener) => {
      listeners[self] = listener;
      return () => (listeners[self] = undefined);
    },
  });
  return [make(0, 1), make(1, 0)];
}

describe('protocol messages are validated where they arrive', () => {
  it('accepts the messages of each direction', () => {
    assert.ok(validate(hostSide.events.run, { input: { text: 'hi', tokenizer: 'cl100k_base' } }).ok);
    assert.ok(validate(hostSide.events.cancel, {}).ok);
    assert.ok(validate(viewSide.events.runEnded, { id: 3, outcome: 'cancelled', message: 'x' }).ok);
    assert.ok(validate(engineSide.methods.countTokens.result, { count: 4 }).ok);
  });

  it('refuses malformed ones with the field that is wrong', () => {
    assert.deepEqual(validate(hostSide.events.run, { input: { text: 'hi', tokenizer: 'gpt9' } }), {
      ok: false,
      error: 'input.tokenizer: Invalid option: expected one of "o200k_base"|"cl100k_base"|"whitespace"',
    });
    assert.equal(validate(viewSide.events.state, null).ok, false);
    assert.equal(validate(viewSide.events.progress, { id: 'one' }).ok, false);
  });

  it('carries map values as a Float32Array, nothing else', () => {
    const map = { kind: 'mask', rows: 1, cols: 2, sourceRows: 1, sourceCols: 2, rowQuery: [0], values: new Float32Array(2) };
    assert.ok(validate(mapSchema, map).ok);
    assert.equal(validate(mapSchema, { ...map, values: [0, 1] }).ok, false);
  });
});

/** A small side for the channel tests: a method that streams progress, fails on request, or waits to be cancelled. */
const counterSide = {
  methods: {
    count: method({ request: z.object({ to: z.number().int() }), progress: z.number().int(), result: z.string() }),
  },
  events: { hello: z.object({ name: z.string() }) },
} satisfies SideSpec;
const callerSide = { methods: {}, events: {} } satisfies SideSpec;

function connect(count: (to: number, call: { progress(n: number): void; cancelled(): boolean }) => Promise<string>) {
  const [a, b] = portPair();
  const refused: string[] = [];
  const greeted: string[] = [];
  const server = new Endpoint(
    counterSide,
    callerSide,
    b,
    { methods: { count: ({ to }, call) => count(to, call) }, events: { hello: ({ name }) => greeted.push(name) } },
    { onRefused: (r) => refused.push(r) },
  );
  const client = new Endpoint(callerSide, counterSide, a, { methods: {}, events: {} });
  return { server, client, refused, greeted, raw: a };
}

describe('the typed channel', () => {
  it('a call streams its progress in order and resolves with its result', async () => {
    const { client } = connect((to, call) => {
      for (let i = 1; i <= to; i++) call.progress(i);
      return Promise.resolve(`counted to ${to}`);
    });
    const seen: number[] = [];
    const result = await client.call('count', { to: 3 }, (n) => seen.push(n)).result;
    assert.equal(result, 'counted to 3');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('an engine error reaches the caller as its code and fields, for the caller to word', async () => {
    const { client } = connect(() => Promise.reject(new EngineError({ code: 'too-many-tokens', count: 9, limit: 4, hardLimit: 65536 })));
    await assert.rejects(client.call('count', { to: 1 }).result, (e: CallFailure) => e.detail.code === 'too-many-tokens' && e.detail.count === 9);
  });

  it('a cancel reaches the call it names while the call is running', async () => {
    const { client } = connect(async (_to, call) => {
      while (!call.cancelled()) await new Promise((r) => setTimeout(r, 5));
      return 'stopped';
    });
    const pending = client.call('count', { to: 1 });
    setTimeout(() => client.cancel(pending.id), 20);
    assert.equal(await pending.result, 'stopped');
  });

  it('refuses a malformed request or event and names the field, without calling the handler', async () => {
    let called = false;
    const { client, refused, greeted, raw } = connect(() => {
      called = true;
      return Promise.resolve('');
    });
    await assert.rejects(client.call('count', { to: 'three' } as unknown as { to: number }).result, /a malformed count request \(to: /u);
    raw.post({ t: 'event', name: 'hello', payload: { name: 42 } });
    raw.post({ t: 'event', name: 'explode', payload: {} });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(called, false);
    assert.deepEqual(greeted, []);
    assert.match(refused.join('\n'), /a malformed message \(hello: name: /u);
    assert.match(refused.join('\n'), /a message it does not know \("explode"\)/u);
  });
});
