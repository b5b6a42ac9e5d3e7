import { z } from 'zod';
import { EngineError, errorDetailSchema, errorDetailOf, type ErrorDetail } from '../model/errors';
import { validate } from '../model/validation';

/**
 * One typed channel between two sides (host and worker thread, host and view, view and its GPU
 * worker), in the manner of vscode-js-profile-visualizer's rpc.ts and vscode-hexeditor's
 * MessageHandler. Each side is declared once by the schemas of what it serves: methods (a request,
 * progress events, a result) and one-way events. The TypeScript interfaces of both ends and every
 * message on the wire derive from that declaration, and every message is validated where it
 * arrives.
 */

/** A method one side serves: its request, the progress events it streams, its result. */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Prog extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  progress: Prog;
  result: Res;
  /** Buffers of the result to transfer rather than copy (typed arrays the sender no longer needs). */
  transfer?(result: z.infer<Res>): ArrayBufferLike[];
}

export interface SideSpec {
  methods: Record<string, MethodSpec>;
  events: Record<string, z.ZodType>;
}

export function method<Req extends z.ZodType, Prog extends z.ZodType, Res extends z.ZodType>(spec: MethodSpec<Req, Prog, Res>): MethodSpec<Req, Prog, Res> {
  return spec;
}

/** The messages on the wire, for every channel. */
const envelopeSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int(), method: z.string(), request: z.unknown() }),
  z.object({ t: z.literal('cancel'), id: z.number().int() }),
  z.object({ t: z.literal('progress'), id: z.number().int(), event: z.unknown() }),
  z.object({ t: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ t: z.literal('error'), id: z.number().int(), error: errorDetailSchema }),
  z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown() }),
  /** The other side could not read a message: why, so that the sender can say so. */
  z.object({ t: z.literal('refused'), reason: z.string(), id: z.number().int().optional() }),
]);
type Envelope = z.infer<typeof envelopeSchema>;

/** What carries the messages: a worker_threads port, a webview, a Web Worker. */
export interface Port {
  /** `transfer`: buffers to move rather than copy, where the port can (a shared buffer is copied). */
  post(message: Envelope, transfer?: readonly ArrayBufferLike[]): void;
  /** Registers the one listener; returns a function that removes it. */
  listen(listener: (message: unknown) => void): () => void;
}

type Req<M> = M extends MethodSpec<infer R, z.ZodType, z.ZodType> ? z.infer<R> : never;
type Prog<M> = M extends MethodSpec<z.ZodType, infer P, z.ZodType> ? z.infer<P> : never;
type Res<M> = M extends MethodSpec<z.ZodType, z.ZodType, infer R> ? z.infer<R> : never;

/** What a side implements for each method it serves. */
export type Handlers<S extends SideSpec> = {
  [K in keyof S['methods']]: (request: Req<S['methods'][K]>, call: ServerCall<Prog<S['methods'][K]>>) => Promise<Res<S['methods'][K]>>;
};

/** What a side does with each event it receives. */
export type EventHandlers<S extends SideSpec> = { [K in keyof S['events']]: (payload: z.infer<S['events'][K]>) => void };

/** A call being served: its id, its progress stream, and whether the caller cancelled it. */
export interface ServerCall<P> {
  readonly id: number;
  progress(event: P): void;
  cancelled(): boolean;
  /** Runs `listener` when the caller cancels this call (at once if it already has). */
  onCancel(listener: () => void): void;
}

/** A call made to the other side. */
export interface PendingCall<R> {
  readonly id: number;
  readonly result: Promise<R>;
}

/** Why a call ended without a result: the other side's error, as data (an EngineError passes through). */
export class CallFailure extends EngineError {
  constructor(detail: ErrorDetail) {
    super(detail);
    this.name = 'CallFailure';
  }
}

interface Outstanding {
  method: MethodSpec;
  onProgress(event: unknown): void;
  resolve(result: unknown): void;
  reject(err: CallFailure): void;
}

/**
 * One end of a channel: serves `local` (its handlers), calls and notifies `remote`.
 * `cancelSignal` lets a side whose handlers never yield to the event loop (the worker thread's
 * kernels) see a cancel through shared memory as well as through the message.
 */
export class Endpoint<Local extends SideSpec, Remote extends SideSpec> {
  private nextId = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly cancelledIds = new Set<number>();
  private readonly cancelListeners = new Map<number, Array<() => void>>();
  private readonly stopListening: () => void;

  constructor(
    private readonly local: Local,
    private readonly remote: Remote,
    private readonly port: Port,
    private readonly handlers: { methods: Partial<Handlers<Local>>; events: Partial<EventHandlers<Local>> },
    private readonly options: {
      isCancelled?(id: number): boolean;
      /** Called when this side refuses a message it received, with the reason. */
      onRefused?(reason: string): void;
    } = {},
  ) {
    this.stopListening = port.listen((raw) => this.receive(raw));
  }

  /** Calls a method of the other side; progress events stream to `onProgress`. */
  call<K extends Extract<keyof Remote['methods'], string>>(
    name: K,
    request: Req<Remote['methods'][K]>,
    onProgress: (event: Prog<Remote['methods'][K]>) => void = () => {},
  ): PendingCall<Res<Remote['methods'][K]>> {
    const id = this.nextId++;
    const spec = this.remote.methods[name];
    if (!spec) throw new Error(`the other side serves no method ${name}`);
    const result = new Promise<Res<Remote['methods'][K]>>((resolve, reject) => {
      this.outstanding.set(id, { method: spec, onProgress: (e) => onProgress(e as Prog<Remote['methods'][K]>), resolve: (r) => resolve(r as Res<Remote['methods'][K]>), reject });
    });
    try {
      this.port.post({ t: 'call', id, method: name, request });
    } catch (err) {
      this.settle(id, (o) => o.reject(new CallFailure(errorDetailOf(err))));
    }
    return { id, result };
  }

  /** Asks the other side to stop a call; the call's promise settles when the other side answers. */
  cancel(id: number): void {
    if (this.outstanding.has(id)) this.port.post({ t: 'cancel', id });
  }

  /** Sends a one-way event to the other side. */
  emit<K extends Extract<keyof Remote['events'], string>>(name: K, payload: z.infer<Remote['events'][K]>): void {
    this.port.post({ t: 'event', name, payload });
  }

  /** Whether a call is still waiting for its answer. */
  isPending(id: number): boolean {
    return this.outstanding.has(id);
  }

  /** Ends every outstanding call with this reason (the other side died or was stopped). */
  failAll(detail: ErrorDetail): void {
    for (const id of [...this.outstanding.keys()]) this.settle(id, (o) => o.reject(new CallFailure(detail)));
  }

  dispose(): void {
    this.stopListening();
  }

  private settle(id: number, fn: (o: Outstanding) => void): void {
    const o = this.outstanding.get(id);
    if (!o) return;
    this.outstanding.delete(id);
    fn(o);
  }

  private refuse(reason: string, id?: number): void {
    this.options.onRefused?.(reason);
    this.port.post({ t: 'refused', reason, ...(id === undefined ? {} : { id }) });
  }

  private receive(raw: unknown): void {
    const envelope = validate(envelopeSchema, raw);
    if (!envelope.ok) {
      this.refuse(`a malformed message (${envelope.error})`);
      return;
    }
    const m = envelope.value;
    switch (m.t) {
      case 'call':
        void this.serve(m.id, m.method, m.request);
        return;
      case 'cancel':
        this.cancelledIds.add(m.id);
        for (const listener of this.cancelListeners.get(m.id) ?? []) listener();
        return;
      case 'event':
        this.onEvent(m.name, m.payload);
        return;
      case 'refused':
        if (m.id !== undefined) this.settle(m.id, (o) => o.reject(new CallFailure({ code: 'internal', message: `the other side refused ${m.reason}` })));
        return;
      default:
        this.onAnswer(m);
    }
  }

  private onAnswer(m: Extract<Envelope, { t: 'progress' | 'result' | 'error' }>): void {
    const o = this.outstanding.get(m.id);
    if (!o) return;
    if (m.t === 'error') {
      this.settle(m.id, (x) => x.reject(new CallFailure(m.error)));
      return;
    }
    const checked = validate(m.t === 'progress' ? o.method.progress : o.method.result, m.t === 'progress' ? m.event : m.result, m.t);
    if (!checked.ok) {
      this.settle(m.id, (x) => x.reject(new CallFailure({ code: 'internal', message: `the other side sent a malformed ${m.t} (${checked.error})` })));
      return;
    }
    if (m.t === 'progress') o.onProgress(checked.value);
    else this.settle(m.id, (x) => x.resolve(checked.value));
  }

  private onEvent(name: string, payload: unknown): void {
    const schema = Object.hasOwn(this.local.events, name) ? this.local.events[name] : undefined;
    const handler = (this.handlers.events as Record<string, ((p: unknown) => void) | undefined>)[name];
    if (!schema || !handler) {
      this.refuse(`a message it does not know ("${name}")`);
      return;
    }
    const checked = validate(schema, payload);
    if (!checked.ok) {
      this.refuse(`a malformed message (${name}: ${checked.error})`);
      return;
    }
    handler(checked.value);
  }

  private async serve(id: number, name: string, rawRequest: unknown): Promise<void> {
    const spec = Object.hasOwn(this.local.methods, name) ? this.local.methods[name] : undefined;
    const handler = (this.handlers.methods as Record<string, ((r: unknown, c: ServerCall<unknown>) => Promise<unknown>) | undefined>)[name];
    if (!spec || !handler) {
      this.refuse(`a call to a method it does not serve ("${name}")`, id);
      return;
    }
    const request = validate(spec.request, rawRequest, 'request');
    if (!request.ok) {
      this.port.post({ t: 'error', id, error: { code: 'internal', message: `a malformed ${name} request (${request.error})` } });
      return;
    }
    const call: ServerCall<unknown> = {
      id,
      progress: (event) => this.port.post({ t: 'progress', id, event }),
      cancelled: () => this.cancelledIds.has(id) || (this.options.isCancelled?.(id) ?? false),
      onCancel: (listener) => {
        if (this.cancelledIds.has(id)) listener();
        else this.cancelListeners.set(id, [...(this.cancelListeners.get(id) ?? []), listener]);
      },
    };
    try {
      const result = await handler(request.value, call);
      this.port.post({ t: 'result', id, result }, spec.transfer?.(result) ?? []);
    } catch (err) {
      this.port.post({ t: 'error', id, error: errorDetailOf(err) });
    } finally {
      this.cancelledIds.delete(id);
      this.cancelListeners.delete(id);
    }
  }
}
