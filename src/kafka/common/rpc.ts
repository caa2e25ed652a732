import type { Address, Clock, EventSink, TimerHandle, Transport } from '../ports';
import { KafkaProtocolError, errorName, type ErrorName } from '../protocol/errors';
import { transferablesOf, type ApiKey, type RequestOf, type ResponseOf, type WireMessage } from '../protocol/messages';

export type RequestHandler = (from: Address, api: ApiKey, body: any) => Promise<unknown | undefined>;

interface Pending { to: Address; resolve: (body: any) => void; reject: (error: Error) => void; timer: TimerHandle }

/**
 * Kafka's request/response over a Transport: correlation ids, timeouts (a lost message is
 * only ever noticed as REQUEST_TIMED_OUT, as on a real network), and a sent/delivered event
 * per message so the UI can draw every hop.
 */
export class Rpc {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private handler: RequestHandler | null = null;
  /** Requests that arrived while the node was still starting: answered once it serves. */
  private early: [Address, WireMessage][] = [];
  private closed = false;

  constructor(private readonly transport: Transport, private readonly clock: Clock, private readonly events: EventSink) {
    transport.onReceive((from, message) => this.receive(from, message as WireMessage));
    transport.onPeerDown?.((peer) => this.failPendingTo(peer));
  }

  /** The peer's process died: what we asked it will never be answered (a connection reset). */
  private failPendingTo(peer: Address): void {
    for (const [correlationId, pending] of this.pending) {
      if (pending.to !== peer) continue;
      this.pending.delete(correlationId);
      pending.timer.cancel();
      pending.reject(new KafkaProtocolError('NETWORK_EXCEPTION', `connection to ${peer} was reset: the node is down`));
    }
  }

  get self(): Address {
    return this.transport.self;
  }

  serve(handler: RequestHandler): void {
    this.handler = handler;
    for (const [from, message] of this.early.splice(0)) this.handleRequest(from, message);
  }

  /** Sends a request and waits for its response, or fails with REQUEST_TIMED_OUT. */
  request<K extends ApiKey>(to: Address, api: K, body: RequestOf<K>, options: { timeoutMs: number; transfer?: boolean }): Promise<ResponseOf<K>> {
    if (this.closed) return Promise.reject(new KafkaProtocolError('NETWORK_EXCEPTION', 'node is stopped'));
    const correlationId = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimer(options.timeoutMs, () => {
        this.pending.delete(correlationId);
        reject(new KafkaProtocolError('REQUEST_TIMED_OUT', `${api} to ${to} got no response in ${options.timeoutMs} ms`));
      });
      this.pending.set(correlationId, { to, resolve, reject, timer });
      this.post(to, { type: 'request', api, correlationId, body }, options.transfer ?? false);
    });
  }

  /** A request that expects no response (Produce with acks=0). */
  sendOneWay<K extends ApiKey>(to: Address, api: K, body: RequestOf<K>, options: { transfer?: boolean } = {}): void {
    if (this.closed) return;
    this.post(to, { type: 'request', api, correlationId: this.nextCorrelationId++, body }, options.transfer ?? false);
  }

  /** Stops the node's networking: pending requests fail, later messages are ignored. */
  close(): void {
    this.closed = true;
    for (const [, pending] of this.pending) {
      pending.timer.cancel();
      pending.reject(new KafkaProtocolError('NETWORK_EXCEPTION', 'node is stopped'));
    }
    this.pending.clear();
  }

  private post(to: Address, message: WireMessage, transfer: boolean): void {
    const requester = message.type === 'request' ? this.self : to;
    const kind = message.type === 'request' ? 'request' : 'response';
    this.events({
      type: 'message-sent', time: this.clock.now(), id: `${requester}#${message.correlationId}:${kind}`,
      from: this.self, to, api: message.api, kind, bytes: approximateSize(message.body),
      error: message.type === 'response' ? firstError(message.body) : message.type === 'error' ? 'UNKNOWN_SERVER_ERROR' : undefined,
    });
    this.transport.send(to, message, transfer ? transferablesOf(message.body) : undefined);
  }

  private receive(from: Address, message: WireMessage): void {
    if (this.closed || !message || typeof message !== 'object') return;
    const requester = message.type === 'request' ? from : this.self;
    const kind = message.type === 'request' ? 'request' : 'response';
    this.events({
      type: 'message-delivered', time: this.clock.now(), id: `${requester}#${message.correlationId}:${kind}`,
      from, to: this.self, api: message.api, kind,
    });
    if (message.type === 'response' || message.type === 'error') {
      const pending = this.pending.get(message.correlationId);
      if (!pending) return; // timed out already: a late answer is dropped, as by a Kafka client
      this.pending.delete(message.correlationId);
      pending.timer.cancel();
      if (message.type === 'error') pending.reject(new KafkaProtocolError('UNKNOWN_SERVER_ERROR', `${message.api} failed on ${from}: ${String(message.body)}`));
      else pending.resolve(message.body);
      return;
    }
    if (!this.handler) {
      this.early.push([from, message]);
      return;
    }
    this.handleRequest(from, message);
  }

  private handleRequest(from: Address, message: WireMessage): void {
    this.handler!(from, message.api, message.body).then(
      (response) => {
        if (response !== undefined && !this.closed) {
          this.post(from, { type: 'response', api: message.api, correlationId: message.correlationId, body: response }, true);
        }
      },
      (error: unknown) => {
        // A handler bug must not take the node down; the requester gets UNKNOWN_SERVER_ERROR at once.
        this.events({ type: 'log', time: this.clock.now(), node: this.self, level: 'error', message: `${message.api} handler failed: ${String((error as Error)?.stack ?? error)}` });
        if (!this.closed) this.post(from, { type: 'error', api: message.api, correlationId: message.correlationId, body: String((error as Error)?.message ?? error) }, false);
      },
    );
  }
}

function approximateSize(body: unknown, depth = 0): number {
  if (body === null || body === undefined) return 0;
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof body === 'string') return body.length + 2;
  if (typeof body !== 'object') return 4;
  if (depth > 6) return 16;
  let size = 0;
  for (const value of Array.isArray(body) ? body : Object.values(body)) size += approximateSize(value, depth + 1);
  return size + 4;
}

function firstError(body: unknown, depth = 0): ErrorName | undefined {
  if (body === null || typeof body !== 'object' || depth > 5 || body instanceof Uint8Array) return undefined;
  const code = (body as { errorCode?: unknown }).errorCode;
  if (typeof code === 'number' && code !== 0) return errorName(code);
  for (const value of Array.isArray(body) ? body : Object.values(body)) {
    const found = firstError(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Throws the Kafka error for a non-zero code. */
export function throwIfError(code: number, message?: string | null): void {
  if (code !== 0) throw new KafkaProtocolError(errorName(code), message ?? undefined);
}
