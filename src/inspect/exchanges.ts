import { RequestParser, ResponseParser, type BodyFraming, type HeaderList, type MessageSink, type RequestHead, type ResponseHead } from '../wire/index.js';
import type { CaptureEvent, Closer, Endpoint, Side } from './capture.js';
import { ChunkWalker, type ChunkRecord } from './chunk-walker.js';

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

/**
 * MessageRecord is one request or response as it crossed the wire. `headRaw` is the exact head
 * (start line, field lines, final CRLF); `head` is our parser's reading of it (case and order kept).
 * Offsets count bytes sent by that side on the connection.
 */
export interface MessageRecord<Head> {
  readonly head: Head;
  readonly headRaw: Buffer;
  readonly offset: number;
  readonly framing: BodyFraming;
  /** The body as delivered (chunk framing removed), at most `cap` bytes of it. */
  readonly body: Buffer[];
  /** Decoded body bytes in total, kept or not. */
  bodySize: number;
  /** True when bodySize exceeds what `body` kept. */
  bodyTruncated: boolean;
  /** Chunks in order (chunked framing only), the last one being the zero-size chunk. */
  readonly chunks: ChunkRecord[] | undefined;
  trailers: HeaderList | undefined;
  /** Bytes on the wire from the first head byte to the end of the message (known once complete). */
  wireSize: number;
  /** Time of the data event holding the first head byte, the one completing the head, and the end. */
  readonly start: number;
  readonly headDone: number;
  end: number | undefined;
}

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
  | { readonly kind: 'unparsed'; readonly connection: ConnectionRecord; readonly from: Side; readonly reason: string; readonly time: number };

/** ExchangeConsumer receives both layers in order; either method may be absent. */
export interface ExchangeConsumer {
  capture?(event: CaptureEvent, connection: ConnectionRecord | undefined): void;
  exchange?(event: ExchangeEvent): void;
}

export interface SplitterOptions {
  /** Body bytes kept per message (default 1 MiB); 0 keeps none. */
  bodyCap?: number;
}

/** Limits for reading what others sent: generous, since the inspector reports rather than defends. */
const READ_LIMITS = { maxStartLine: 64 * 1024, maxHeadBytes: 256 * 1024, maxHeaderCount: 10_000, maxBodyBytes: Infinity, maxChunkLine: 64 * 1024 };

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

/** A data chunk still needed to cut a head out of the stream. */
interface Held {
  readonly base: number;
  readonly bytes: Buffer;
  readonly time: number;
}

/** Building is a message being received: its record plus what is needed to finish it. */
interface Building<Head> {
  record: MessageRecord<Head>;
  walker: ChunkWalker | undefined;
  kept: number;
}

/** Direction parses what one side sent. */
class Direction<Head extends RequestHead | ResponseHead> implements MessageSink<Head> {
  readonly parser: RequestParser | ResponseParser;
  /** Stream offset of the next byte to arrive. */
  private pos = 0;
  private held: Held[] = [];
  private chunk: Held | undefined;
  private current: Building<Head> | undefined;
  failed = false;

  constructor(
    side: Side,
    private readonly bodyCap: number,
    private readonly onHeadDone: (record: MessageRecord<Head>) => void,
    private readonly onMessageEnd: (record: MessageRecord<Head>) => void,
  ) {
    this.parser = side === 'client' ? new RequestParser(this as unknown as MessageSink<RequestHead>, { limits: READ_LIMITS, allowBareLf: true }) : new ResponseParser(this as unknown as MessageSink<ResponseHead>, { limits: READ_LIMITS });
  }

  /** feed parses one data event; throws the parser's WireError on bytes that are not HTTP. */
  feed(bytes: Buffer, time: number): void {
    const chunk: Held = { base: this.pos, bytes, time };
    this.pos += bytes.length;
    this.chunk = chunk;
    this.held.push(chunk);
    const walker = this.current?.walker;
    if (walker !== undefined && !walker.done) walker.feed(bytes, 0, chunk.base);
    try {
      let used = 0;
      while (used < bytes.length) {
        const n = this.parser.feed(used === 0 ? bytes : bytes.subarray(used));
        used += n;
        // A protocol switch pauses the parser: the rest is not HTTP/1.1 and is only counted.
        if (this.parser.paused) break;
      }
    } finally {
      this.chunk = undefined;
      this.trim();
    }
  }

  /** end completes a close-delimited body when the connection closes. */
  end(time: number): void {
    const cur = this.current;
    if (cur === undefined || cur.record.framing.kind !== 'close') return;
    try {
      this.chunk = { base: this.pos, bytes: Buffer.alloc(0), time };
      this.parser.finish();
    } catch {
      // incomplete: left without an end
    } finally {
      this.chunk = undefined;
    }
  }

  onHead(head: Head): void {
    const chunk = this.chunk!;
    const headEnd = head.offset + head.headBytes;
    const start = this.held.find((h) => h.base + h.bytes.length > head.offset) ?? chunk;
    const framing = head.framing;
    const record: MessageRecord<Head> = {
      head, headRaw: this.slice(head.offset, headEnd), offset: head.offset, framing, body: [], bodySize: 0, bodyTruncated: false,
      chunks: framing.kind === 'chunked' ? [] : undefined, trailers: undefined, wireSize: head.headBytes,
      start: start.time, headDone: chunk.time, end: undefined,
    };
    let walker: ChunkWalker | undefined;
    if (framing.kind === 'chunked') {
      walker = new ChunkWalker(headEnd, record.chunks!);
      walker.feed(chunk.bytes, headEnd - chunk.base, chunk.base);
    }
    this.current = { record, walker, kept: 0 };
    this.onHeadDone(record);
  }

  onBody(view: Buffer): void {
    const cur = this.current!;
    const rec = cur.record;
    rec.bodySize += view.length;
    const room = this.bodyCap - cur.kept;
    if (room <= 0) {
      rec.bodyTruncated = true;
      return;
    }
    // Copied: the source may hand the same memory to others after the event.
    const take = view.length <= room ? view : view.subarray(0, room);
    rec.body.push(Buffer.from(take));
    cur.kept += take.length;
    if (take.length < view.length) rec.bodyTruncated = true;
  }

  onTrailers(trailers: HeaderList): void {
    this.current!.record.trailers = trailers;
  }

  onEnd(): void {
    const cur = this.current!;
    const rec = cur.record;
    const bodyStart = rec.offset + rec.head.headBytes;
    switch (rec.framing.kind) {
      case 'length':
        rec.wireSize = rec.head.headBytes + rec.framing.length;
        break;
      case 'chunked':
        rec.wireSize = (cur.walker?.endOffset ?? bodyStart) - rec.offset;
        break;
      case 'close':
        rec.wireSize = this.pos - rec.offset;
        break;
      case 'none':
        break;
    }
    rec.end = this.chunk!.time;
    this.current = undefined;
    this.onMessageEnd(rec);
  }

  /** slice copies stream bytes [from, to) out of the held chunks. */
  private slice(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    for (const h of this.held) {
      const a = Math.max(from, h.base);
      const b = Math.min(to, h.base + h.bytes.length);
      if (a < b) parts.push(h.bytes.subarray(a - h.base, b - h.base));
    }
    return Buffer.concat(parts, to - from);
  }

  /** trim drops chunks no head can need any more: all of them while inside a body. */
  private trim(): void {
    if (this.current !== undefined || this.parser.idle) {
      // In a body, or between messages: the next head starts at or after the current position.
      this.held = [];
      return;
    }
    // A head is in progress: keep only the chunks it may span (it started after any completed message).
    if (this.held.length > 64) this.held = this.held.slice(-64);
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

  finish(time: number): void {
    if (!this.responses.failed) this.responses.end(time);
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
