import type { Socket } from 'node:net';
import type { MessageSink, RequestHead, RequestParser, RequestParserOptions } from '../wire/index.js';
import { BatchedWriter } from './batched-writer.js';
import { pauseReads, resumeReads } from './direct-reads.js';
import { HttpError } from './http-error.js';
import type { ServerRequest } from './request.js';
import type { ServerResponse } from './response.js';
import type { ProxyTrust } from './trust-proxy.js';
import type { CloseReason, ConnectionInfo, ConnectionObserver, Handler } from './types.js';

/** Settings are the server options with defaults applied, shared by all connections. */
export interface Settings {
  readonly keepAliveTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly maxRequestsPerConnection: number;
  readonly maxBodyBytes: number;
  readonly serverName: string;
  readonly parserOptions: RequestParserOptions;
  /** Proxies whose forwarding headers are believed (undefined: none). */
  readonly trustProxy: ProxyTrust | undefined;
}

/** ConnectionHost is what a connection needs from its server. */
export interface ConnectionHost {
  readonly handler: Handler;
  readonly settings: Settings;
  readonly observer: ConnectionObserver | undefined;
  readonly shuttingDown: boolean;
  connectionClosed(conn: ConnectionState): void;
  handlerError(error: unknown, req: ServerRequest): void;
  /** takeParser lends an idle parser bound to `sink`; returnParser takes it back. */
  takeParser(sink: MessageSink<RequestHead>): RequestParser;
  returnParser(parser: RequestParser): void;
  /** The shared 'drain' listener, attached while some response waits for drain(). */
  readonly drainListener: (this: Socket) => void;
}

/**
 * Connection times are milliseconds since CLOCK_BASE rather than since 1970, so they stay small
 * integers (V8 Smis, stored inline) instead of a boxed double per field on every idle connection.
 */
const CLOCK_BASE = Date.now();

/** clock returns the time in the unit connection fields and sweep() use. */
export function clock(): number {
  return clockAt(Date.now());
}

/** clockAt converts a Date.now() reading (for callers that already have one). */
export function clockAt(nowMs: number): number {
  // Math.floor of an integral double gives V8 a Smi; a plain subtraction would store a boxed HeapNumber.
  return Math.floor(nowMs - CLOCK_BASE);
}

const READ_CLOSED = 1;
const BODY_HELD = 2;
const PIPELINE_HELD = 4;
const CLOSED = 8;
/** Inside the processing of a read: whether bytes follow the current request is not known yet. */
const PUMPING = 16;
/** A close that may skip lingering waits for the end of that processing to decide. */
const QUICK_CLOSE = 32;
/** The socket's reads come through DirectReads (direct-reads.ts), not its 'data' events. */
const DIRECT_READS = 64;
/** Input waits for 'drain': a new request came while earlier answers sat unread in the socket's buffer. */
const OUTPUT_HELD = 128;
/** The empty queue every idle connection shares; never pushed to (the first response replaces it). */
export const NO_QUEUE: ServerResponse[] = [];

/** How long a connection we have half-closed may linger for the client's FIN (lingering close). */
const LINGER_MS = 2000;

function addressOf(address: string | undefined, port: number | undefined): { address: string; port: number } {
  return { address: address ?? '', port: port ?? 0 };
}

/**
 * ConnectionState is one connection's state and the rules that act on it from outside the request
 * flow: the peer's facts (ConnectionInfo), the timeouts one server-wide sweep enforces, the lingering
 * close, and shutdown. Connection (connection.ts) extends it with parsing, dispatch and output; the
 * split keeps each file to one concern, and idle connections still cost one object.
 */
export abstract class ConnectionState extends BatchedWriter implements ConnectionInfo {
  readonly id: number;
  protected readonly host: ConnectionHost;
  protected parser: RequestParser | undefined;
  private remote: { address: string; port: number } | undefined;
  private local: { address: string; port: number } | undefined;
  /** Responses not yet fully written, in request order; only queue[0] writes to the socket. */
  protected queue: ServerResponse[] = NO_QUEUE;
  /** The exchange whose request is being parsed (between its head and its end). */
  protected current: ServerResponse | undefined;
  protected requests = 0;
  /** Unparsed bytes kept while the parser is paused. */
  protected leftover: Buffer | undefined;
  /** readClosed, the reasons input is held, closed and the like, packed in one small integer (one field per idle connection). */
  protected flags = 0;
  /** When we sent our FIN (clock()), or -1 while the connection is open. */
  private endedAt = -1;
  /** While bytes are queued for a slow reader: when they last moved (clock()), and how many had left then. */
  private sendMark = -1;
  private sentBefore = 0;
  protected closeReason: CloseReason | undefined;
  lastActivity: number;
  /** When the head being parsed began (clock()), for the header timeout. */
  protected headStart = 0;
  /** This connection's index in the server's ConnectionRegistry, -1 when not in it. */
  registrySlot = -1;

  constructor(socket: Socket, id: number, host: ConnectionHost) {
    super(socket);
    this.id = id;
    this.host = host;
    this.lastActivity = clock();
  }

  /** pump feeds the bytes held (leftover) to the parser. */
  protected abstract pump(): void;
  /** sendFatal answers a protocol failure (or a header timeout) once earlier responses are out, then closes. */
  protected abstract sendFatal(status: number, code?: string): void;

  /** No more requests are read; the socket ends once the queue is written. */
  protected get readClosed(): boolean {
    return (this.flags & READ_CLOSED) !== 0;
  }
  protected set readClosed(on: boolean) {
    this.flags = on ? this.flags | READ_CLOSED : this.flags & ~READ_CLOSED;
  }
  /** The socket is paused because a request body is not being read. */
  protected get bodyHeld(): boolean {
    return (this.flags & BODY_HELD) !== 0;
  }
  protected set bodyHeld(on: boolean) {
    this.flags = on ? this.flags | BODY_HELD : this.flags & ~BODY_HELD;
  }
  /** The parser is paused because too many pipelined responses are waiting. */
  protected get pipelineHeld(): boolean {
    return (this.flags & PIPELINE_HELD) !== 0;
  }
  protected set pipelineHeld(on: boolean) {
    this.flags = on ? this.flags | PIPELINE_HELD : this.flags & ~PIPELINE_HELD;
  }
  /** Input is paused because the client sent another request while its answers back up unread. */
  protected get outputHeld(): boolean {
    return (this.flags & OUTPUT_HELD) !== 0;
  }
  protected set outputHeld(on: boolean) {
    this.flags = on ? this.flags | OUTPUT_HELD : this.flags & ~OUTPUT_HELD;
  }
  /** parsingHeld: the parser waits, for earlier answers to be written or read. */
  protected get parsingHeld(): boolean {
    return (this.flags & (PIPELINE_HELD | OUTPUT_HELD)) !== 0;
  }
  /** mayRead: nothing holds input back (a body not being read, answers waiting, or answers unread). */
  protected get mayRead(): boolean {
    return (this.flags & (BODY_HELD | PIPELINE_HELD | OUTPUT_HELD)) === 0;
  }
  protected get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }
  /** markClosed records that the socket is gone; false when it was already recorded. */
  protected markClosed(): boolean {
    if (this.closed) return false;
    this.flags |= CLOSED | READ_CLOSED;
    return true;
  }

  /** readsDirectly records that the server attached the socket to DirectReads. */
  readsDirectly(): void {
    this.flags |= DIRECT_READS;
  }

  /** pauseReading stops reading the socket (its bytes wait in the kernel, or in node's stream buffer). */
  protected pauseReading(): void {
    if ((this.flags & DIRECT_READS) !== 0) pauseReads(this.socket);
    else this.socket.pause();
  }

  protected resumeReading(): void {
    if ((this.flags & DIRECT_READS) !== 0) resumeReads(this.socket);
    else this.socket.resume();
  }

  // ---- ConnectionInfo ----------------------------------------------------------------------------

  get serverName(): string {
    return this.host.settings.serverName;
  }

  /** peer returns the connection's facts; addresses are read on first use (each is a system call). */
  peer(): ConnectionInfo {
    return this;
  }

  get remoteAddress(): string {
    return (this.remote ??= addressOf(this.socket.remoteAddress, this.socket.remotePort)).address;
  }
  get remotePort(): number {
    return (this.remote ??= addressOf(this.socket.remoteAddress, this.socket.remotePort)).port;
  }
  get localAddress(): string {
    return (this.local ??= addressOf(this.socket.localAddress, this.socket.localPort)).address;
  }
  get localPort(): number {
    return (this.local ??= addressOf(this.socket.localAddress, this.socket.localPort)).port;
  }
  get secure(): boolean {
    return 'encrypted' in this.socket;
  }

  // ---- closing, timeouts and shutdown ------------------------------------------------------------

  /**
   * endSocket half-closes after the last response; the client's FIN (or the linger limit) ends it.
   * `linger` false is for a client that asked to close: when it sent nothing after that request, no
   * unread byte can turn our close into an RST, so the socket closes as soon as our bytes are out
   * (nginx's lingering_close auto). Inside a read's processing that is decided once it ends.
   */
  endSocket(reason: CloseReason, linger = true): void {
    if (this.endedAt !== -1) return;
    this.closeReason ??= reason;
    this.endedAt = clock();
    this.readClosed = true;
    this.flushBatch();
    if (linger) this.lingerClose();
    else if ((this.flags & PUMPING) !== 0) this.flags |= QUICK_CLOSE;
    else this.closeQuickly();
  }

  /** processInput pumps the bytes held, with its writes batched, then settles a quick close. */
  protected processInput(): void {
    const outer = this.flags & PUMPING;
    this.flags |= PUMPING;
    this.beginBatch();
    this.pump();
    this.endBatch();
    if (outer !== 0) return;
    this.flags &= ~PUMPING;
    if ((this.flags & QUICK_CLOSE) === 0) return;
    this.flags &= ~QUICK_CLOSE;
    if (this.leftover === undefined) this.closeQuickly();
    else this.lingerClose();
  }

  private closeQuickly(): void {
    // Every byte already in the kernel: close() sends them and then the FIN, no shutdown needed.
    if (this.socket.writableLength === 0 && !this.secure) this.socket.destroy();
    else this.socket.end(() => this.socket.destroy());
  }

  private lingerClose(): void {
    this.socket.end();
    // Read and drop until the client's FIN. A socket left paused (by a body or the pipeline) would
    // stall the sender and, at the linger limit, be destroyed with unread bytes, which the kernel
    // answers with an RST that can wipe out the response we just sent.
    this.flags &= ~(BODY_HELD | PIPELINE_HELD | OUTPUT_HELD);
    this.resumeReading();
  }

  /** sweep enforces the idle, header and body timeouts; `now` is clock(). The server calls it for every connection. */
  sweep(now: number): void {
    if (this.closed) return;
    const s = this.host.settings;
    if (this.socket.writableLength > 0) {
      this.watchSend(now, s.bodyTimeout);
      return;
    }
    this.sendMark = -1;
    if (this.endedAt !== -1) {
      if (now - this.endedAt > LINGER_MS) this.socket.destroy();
      return;
    }
    const res = this.current;
    if (res !== undefined) {
      const incoming = res.request.incomingBody;
      if (incoming !== undefined && !incoming.complete && !this.bodyHeld && now - this.lastActivity > s.bodyTimeout) {
        // The handler reading the body sees a 408 rejection and answers with it; one that has
        // not read yet gets the same rejection when it does. Either way the connection then closes.
        this.closeReason = 'body-timeout';
        this.readClosed = true;
        this.current = undefined;
        incoming.fail(new HttpError(408, 'Request body timed out'));
        if (!res.finished) res.closeAfter();
        else if (this.queue.length === 0) this.endSocket('body-timeout');
      }
      return;
    }
    if (this.queue.length > 0) return; // a handler is working: its own business
    if (this.parser !== undefined && !this.parser.idle && !this.readClosed) {
      if (now - this.headStart > s.headersTimeout) {
        this.closeReason = 'headers-timeout';
        this.sendFatal(408);
      }
    } else if (now - this.lastActivity > s.keepAliveTimeout) {
      this.endSocket(this.readClosed ? (this.closeReason ?? 'server-close') : 'idle-timeout');
    } else if (this.leftover === undefined) {
      // Idle between requests: the addresses are read again on the next request, and a fresh empty
      // queue drops the old one's backing store.
      this.remote = undefined;
      this.local = undefined;
      if (this.queue.length === 0) this.queue = NO_QUEUE;
    }
  }

  /**
   * watchSend handles bytes still leaving to a slow reader: busy, not idle, as long as they move. A
   * reader that takes nothing for `limit` ms is cut (nginx's send_timeout); the idle and linger
   * timers would otherwise drop what is still queued.
   */
  private watchSend(now: number, limit: number): void {
    const sent = this.socket.bytesWritten - this.socket.writableLength;
    if (this.sendMark === -1 || sent !== this.sentBefore) {
      this.sentBefore = sent;
      this.sendMark = now;
    }
    if (now - this.sendMark <= limit) {
      this.lastActivity = now;
      if (this.endedAt !== -1) this.endedAt = now;
      return;
    }
    this.closeReason ??= 'send-timeout';
    this.socket.destroy();
  }

  /**
   * shutdown closes an idle connection now, or after the responses in flight. A connection that has not
   * sent a byte yet is spared until `final`: its first request may be on the way (just accepted, or
   * handed over by the cluster primary, or in its TLS handshake), and closing it would fail that request.
   */
  shutdown(final = false): void {
    if (this.queue.length === 0 && this.current === undefined && (this.parser === undefined || this.parser.idle)) {
      if (!final && this.requests === 0 && this.parser === undefined && this.leftover === undefined) return;
      this.endSocket('shutdown');
    } else {
      this.closeReason ??= 'shutdown';
    }
  }
}
