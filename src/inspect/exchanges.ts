import type { RequestHead, ResponseHead, ResponseParser } from '../wire/index.js';
import type { CaptureEvent, Closer, Endpoint, Side } from './capture.js';
import { Direction, type MessageRecord } from './direction.js';

export type { ChunkRecord } from './chunk-walker.js';

/** Body bytes kept per message by default (the size and framing are always counted in full). */
export const DEFAULT_BODY_CAP = 1024 * 1024;

/** ConnectionRecord is what is known about one connection, updated as events arrive. */
export interface ConnectionRecord {
  readonly id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Where a relay forwards this connection (unset for a server's or client's own connection). */
  readonly upstream: Endpoint | undefined;
  readonly secure: boolean;
  readonly opened: number;
  tlsProtocol: string | null | undefined;
  /** Exchanges begun on this connection (a request head was seen). */
  exchanges: number;
  /** Bytes each side sent (HTTP layer). */
  readonly sent: { client: number; server: number };
  closed: { by: Closer; reason: string; time: number } | undefined;
}

export type { MessageRecord } from './direction.js';

/** Exchange pairs a request with its response; `sequence` is 1 for the first on its connection. */
export interface Exchange {
  readonly connection: ConnectionRecord;
  readonly sequence: number;
  request: MessageRecord<RequestHead> | undefined;
  response: MessageRecord<ResponseHead> | undefined;
  /** 1xx interim responses seen before the final one. */
  readonly interim: MessageRecord<ResponseHead>[];
}

/**
 * ExchangeEvent is what the splitter reports, interleaved with the capture events it was fed:
 * heads as soon as they are parsed, ends when the message is complete, and bytes that could not be
 * parsed as HTTP (the rest of that direction is then only counted).
 */
export type ExchangeEvent =
  | { readonly kind: 'request-head' | 'request-end' | 'response-head' | 'response-end'; readonly exchange: Exchange; readonly time: number }
  | { readonly kind: 'unparsed'; readonly connection: ConnectionRecord; readonly from: Side; readonly reason: string; readonly time: number }
  /** The connection closed while `from` was in the middle of a head or a body (e.g. a cut by a lab switch). */
  | { readonly kind: 'incomplete'; readonly connection: ConnectionRecord; readonly exchange: Exchange | undefined; readonly from: Side; readonly cut: Unfinished; readonly time: number };

/** Unfinished is what a side was in the middle of sending when its connection closed. */
export type Unfinished = { readonly part: 'head'; readonly bytes: number } | { readonly part: 'body'; readonly message: MessageRecord<RequestHead | ResponseHead> };

/** ExchangeConsumer receives both layers in order; either method may be absent. */
export interface ExchangeConsumer {
  capture?(event: CaptureEvent, connection: ConnectionRecord | undefined): void;
  exchange?(event: ExchangeEvent): void;
}

export interface SplitterOptions {
  /** Body bytes kept per message (default 1 MiB); 0 keeps none. */
  bodyCap?: number;
}


/**
 * ExchangeSplitter re-parses each direction of each connection with our own wire parsers and
 * reports exchanges: the same model for a server, a client or a relay capture. Feed it capture events
 * with `push`; it forwards each to the consumers and reports exchange events around it (an `open`
 * first, exchange events after the `data` that caused them, a `close` last).
 */
export class ExchangeSplitter {
  private readonly consumers: readonly ExchangeConsumer[];
  private readonly bodyCap: number;
  private readonly connections = new Map<number, ConnectionState>();

  constructor(consumers: readonly ExchangeConsumer[], options: SplitterOptions = {}) {
    this.consumers = consumers;
    this.bodyCap = options.bodyCap ?? DEFAULT_BODY_CAP;
  }

  /** push takes the next capture event (bind it: `splitter.push.bind(splitter)` is a CaptureSink). */
  push(event: CaptureEvent): void {
    switch (event.kind) {
      case 'open': {
        const record: ConnectionRecord = {
          id: event.id, client: event.client, server: event.server, upstream: event.upstream, secure: event.secure, opened: event.time,
          tlsProtocol: undefined, exchanges: 0, sent: { client: 0, server: 0 }, closed: undefined,
        };
        this.connections.set(event.id, new ConnectionState(record, this.bodyCap, (e) => this.emit(e)));
        this.forward(event, record);
        return;
      }
      case 'data': {
        const state = this.connections.get(event.id);
        this.forward(event, state?.record);
        state?.data(event.from, event.bytes, event.time);
        return;
      }
      case 'tls': {
        const state = this.connections.get(event.id);
        if (state !== undefined) state.record.tlsProtocol = event.protocol;
        this.forward(event, state?.record);
        return;
      }
      case 'close': {
        const state = this.connections.get(event.id);
        if (state !== undefined) {
          state.finish(event.time);
          state.record.closed = { by: event.by, reason: state.explain(event.reason), time: event.time };
          this.connections.delete(event.id);
        }
        this.forward(event, state?.record);
        return;
      }
      default:
        this.forward(event, this.connections.get(event.id)?.record);
    }
  }

  private forward(event: CaptureEvent, record: ConnectionRecord | undefined): void {
    for (const c of this.consumers) c.capture?.(event, record);
  }

  private emit(event: ExchangeEvent): void {
    for (const c of this.consumers) c.exchange?.(event);
  }
}

/** ConnectionState pairs the two directions of one connection into exchanges. */
class ConnectionState {
  private readonly requests: Direction<RequestHead>;
  private readonly responses: Direction<ResponseHead>;
  /** Exchanges whose response is not complete yet, oldest first (pipelining). */
  private readonly open: Exchange[] = [];
  private lastTime = 0;
  private lastResponse: ResponseHead | undefined;

  constructor(readonly record: ConnectionRecord, bodyCap: number, private readonly emit: (e: ExchangeEvent) => void) {
    this.requests = new Direction<RequestHead>('client', bodyCap, (m) => this.requestHead(m), (m) => this.requestEnd(m));
    this.responses = new Direction<ResponseHead>('server', bodyCap, (m) => this.responseHead(m), (m) => this.responseEnd(m));
  }

  data(from: Side, bytes: Buffer, time: number): void {
    this.record.sent[from] += bytes.length;
    this.lastTime = time;
    const dir = from === 'client' ? this.requests : this.responses;
    if (dir.failed) return;
    try {
      dir.feed(bytes, time);
    } catch (error) {
      dir.failed = true;
      const code = (error as { code?: string }).code ?? 'error';
      this.emit({ kind: 'unparsed', connection: this.record, from, reason: `not HTTP/1.1 (${code})`, time });
    }
  }

  /** finish ends a close-delimited body and reports what either side left unfinished. */
  finish(time: number): void {
    if (!this.responses.failed) this.responses.end(time);
    for (const [from, dir] of [['client', this.requests], ['server', this.responses]] as const) {
      const cut = dir.unfinished();
      if (cut === undefined) continue;
      const exchange = cut.part === 'body'
        ? this.open.find((e) => e.request === cut.message || e.response === cut.message)
        : from === 'server' ? this.open.find((e) => e.response === undefined) : undefined;
      this.emit({ kind: 'incomplete', connection: this.record, exchange, from, cut, time });
    }
  }

  /**
   * explain adds the protocol's reason to a plain close: the last response said `Connection: close`
   * (or was HTTP/1.0 without keep-alive), so closing was the expected end rather than a failure.
   */
  explain(reason: string): string {
    const last = this.lastResponse;
    if (last === undefined || last.keepAlive || !(reason === 'server close' || reason === 'client close' || reason === 'server FIN' || reason === 'upstream server FIN')) return reason;
    if (last.headers.list('connection').some((t) => t.toLowerCase() === 'close')) return `${reason} after Connection: close`;
    if (last.framing.kind === 'close') return `${reason} to end a body without length`;
    return `${reason} after an HTTP/1.${last.versionMinor} response without keep-alive`;
  }

  private requestHead(m: MessageRecord<RequestHead>): void {
    const ex: Exchange = { connection: this.record, sequence: ++this.record.exchanges, request: m, response: undefined, interim: [] };
    this.open.push(ex);
    (this.responses.parser as ResponseParser).expect(m.head.method);
    this.emit({ kind: 'request-head', exchange: ex, time: m.headDone });
  }

  private requestEnd(m: MessageRecord<RequestHead>): void {
    const ex = this.open.find((e) => e.request === m);
    if (ex !== undefined) this.emit({ kind: 'request-end', exchange: ex, time: m.end ?? this.lastTime });
  }

  private responseHead(m: MessageRecord<ResponseHead>): void {
    const ex = this.exchangeForResponse();
    if (m.head.status < 200) {
      ex.interim.push(m);
      return;
    }
    ex.response = m;
    this.emit({ kind: 'response-head', exchange: ex, time: m.headDone });
  }

  private responseEnd(m: MessageRecord<ResponseHead>): void {
    if (m.head.status < 200) return;
    const i = this.open.findIndex((e) => e.response === m);
    if (i === -1) return;
    const ex = this.open[i]!;
    this.open.splice(i, 1);
    this.lastResponse = m.head;
    this.emit({ kind: 'response-end', exchange: ex, time: m.end ?? this.lastTime });
  }

  /** exchangeForResponse is the oldest exchange without a final response (one is made for a stray response). */
  private exchangeForResponse(): Exchange {
    const waiting = this.open.find((e) => e.response === undefined);
    if (waiting !== undefined) return waiting;
    const ex: Exchange = { connection: this.record, sequence: ++this.record.exchanges, request: undefined, response: undefined, interim: [] };
    this.open.push(ex);
    return ex;
  }
}
