import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WireError, type HeaderList, type MessageSink, type RequestHead, type RequestParser, type RequestParserOptions } from '../wire/index.js';
import { httpDate, tick } from './date-cache.js';
import { protocolErrorResponse, statusForWireError, wireToHttpError } from './error-status.js';
import { isValidHost } from './host.js';
import { HttpError } from './http-error.js';
import { IncomingBody, type BodyFlow } from './incoming-body.js';
import { ServerRequest } from './request.js';
import { BatchedWriter } from './batched-writer.js';
import type { ResponseChannel } from './response.js';
import { ServerResponse } from './response.js';
import { renderHandlerError } from './handler-error.js';
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
  connectionClosed(conn: Connection): void;
  handlerError(error: unknown, req: ServerRequest): void;
  /** takeParser lends an idle parser bound to `sink`; returnParser takes it back. */
  takeParser(sink: MessageSink<RequestHead>): RequestParser;
  returnParser(parser: RequestParser): void;
  /** The shared 'drain' listener, attached while some response waits for drain(). */
  readonly drainListener: (this: Socket) => void;
}

/** Pipelined requests answered ahead of the one being written: past HIGH the parser pauses. */
const PIPELINE_HIGH = 64;
const PIPELINE_LOW = 16;
/**
 * Connection times are milliseconds since CLOCK_BASE rather than since 1970, so they stay small
 * integers (V8 Smis, stored inline) instead of a boxed double per field on every idle connection.
 */
const CLOCK_BASE = Date.now();

/** clock returns the time in the unit Connection fields and sweep() use. */
export function clock(): number {
  // Math.floor of an integral double gives V8 a Smi; a plain subtraction would store a boxed HeapNumber.
  return Math.floor(Date.now() - CLOCK_BASE);
}

const READ_CLOSED = 1;
const BODY_HELD = 2;
const PIPELINE_HELD = 4;
const CLOSED = 8;
/** The empty queue every idle connection shares; never pushed to (the first response replaces it). */
const NO_QUEUE: ServerResponse[] = [];

/** How long a connection we have half-closed may linger for the client's FIN (lingering close). */
const LINGER_MS = 2000;

/**
 * Connection runs HTTP/1.1 on one socket: it feeds the parser, starts a handler per request head,
 * writes responses strictly in request order (RFC 9112 §9.3.2) and decides keep-alive and close.
 * All writes made while one read is processed are corked into one writev.
 */
function addressOf(address: string | undefined, port: number | undefined): { address: string; port: number } {
  return { address: address ?? '', port: port ?? 0 };
}

export class Connection extends BatchedWriter implements MessageSink<RequestHead>, ResponseChannel, BodyFlow, ConnectionInfo {
  readonly id: number;
  private readonly host: ConnectionHost;
  private parser: RequestParser | undefined;
  private remote: { address: string; port: number } | undefined;
  private local: { address: string; port: number } | undefined;
  /** Responses not yet fully written, in request order; only queue[0] writes to the socket. */
  private queue: ServerResponse[] = NO_QUEUE;
  /** The exchange whose request is being parsed (between its head and its end). */
  private current: ServerResponse | undefined;
  private requests = 0;
  /** Unparsed bytes kept while the parser is paused. */
  private leftover: Buffer | undefined;
  /** readClosed, bodyHeld, pipelineHeld and closed packed in one small integer (one field per idle connection). */
  private flags = 0;
  /** An error response to send once every earlier response is out. */
  private fatal: string | undefined;
  /** When we sent our FIN (clock()), or -1 while the connection is open. */
  private endedAt = -1;
  /** While bytes are queued for a slow reader: when they last moved (clock()), and how many had left then. */
  private sendMark = -1;
  private sentBefore = 0;
  private closeReason: CloseReason | undefined;
  private drainWaiters: Array<{ res: ServerResponse; resolve: () => void; reject: (e: Error) => void }> | undefined;
  lastActivity: number;
  private headStart = 0;

  constructor(socket: Socket, id: number, host: ConnectionHost) {
    super(socket);
    this.id = id;
    this.host = host;
    this.lastActivity = clock();
  }

  /** No more requests are read; the socket ends once the queue is written. */
  private get readClosed(): boolean {
    return (this.flags & READ_CLOSED) !== 0;
  }
  private set readClosed(on: boolean) {
    this.flags = on ? this.flags | READ_CLOSED : this.flags & ~READ_CLOSED;
  }
  /** The socket is paused because a request body is not being read. */
  private get bodyHeld(): boolean {
    return (this.flags & BODY_HELD) !== 0;
  }
  private set bodyHeld(on: boolean) {
    this.flags = on ? this.flags | BODY_HELD : this.flags & ~BODY_HELD;
  }
  /** The parser is paused because too many pipelined responses are waiting. */
  private get pipelineHeld(): boolean {
    return (this.flags & PIPELINE_HELD) !== 0;
  }
  private set pipelineHeld(on: boolean) {
    this.flags = on ? this.flags | PIPELINE_HELD : this.flags & ~PIPELINE_HELD;
  }
  private get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

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

  // ---- socket events -------------------------------------------------------------------------

  onSocketData(chunk: Buffer): void {
    const now = Date.now();
    this.lastActivity = Math.floor(now - CLOCK_BASE);
    tick(now);
    this.host.observer?.bytesIn?.(this.peer(), chunk, performance.now());
    if (this.readClosed) return; // lingering close: read and drop
    if (this.leftover !== undefined) {
      this.leftover = Buffer.concat([this.leftover, chunk]);
      return;
    }
    this.leftover = chunk;
    this.beginBatch();
    this.pump();
    this.endBatch();
  }

  onSocketEnd(): void {
    // Once we have sent our FIN too, node closes the socket by itself (autoDestroy) after the last
    // byte is flushed; destroying here could drop bytes still in user space.
    if (this.readClosed) return;
    this.closeReason ??= 'client-fin';
    try {
      this.parser?.finish();
    } catch (error) {
      this.protocolError(error);
      return;
    }
    this.readClosed = true;
    if (this.queue.length === 0) this.endSocket('client-fin');
  }

  onSocketDrain(): void {
    this.wakeDrainWaiters();
  }

  onSocketError(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (this.closeReason === undefined) this.closeReason = code === 'ECONNRESET' || code === 'EPIPE' ? 'client-reset' : 'server-close';
  }

  onSocketClose(): void {
    if (this.closed) return;
    this.flags |= CLOSED | READ_CLOSED;
    this.closeReason ??= 'client-reset';
    // Errors capture a stack trace: build one only when someone is waiting to be told.
    const incoming = this.current?.request.incomingBody;
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    if ((incoming !== undefined && !incoming.complete) || waiters !== undefined) {
      const gone = new HttpError(499, 'Client closed the connection', { expose: false });
      incoming?.fail(gone);
      if (waiters !== undefined) for (const w of waiters) w.reject(gone);
    }
    this.host.observer?.close?.(this.peer(), this.closeReason, performance.now());
    this.host.connectionClosed(this);
  }

  // ---- parsing -------------------------------------------------------------------------------

  /** pump feeds held bytes to the parser until they are used up or input is held back. */
  private pump(): void {
    while (this.leftover !== undefined && !this.readClosed && !this.pipelineHeld) {
      const chunk = this.leftover;
      this.leftover = undefined;
      let parser = this.parser;
      if (parser === undefined) parser = this.parser = this.host.takeParser(this);
      if (parser.idle) this.headStart = this.lastActivity;
      if (parser.paused) parser.resume();
      let used: number;
      try {
        used = parser.feed(chunk);
      } catch (error) {
        this.protocolError(error);
        return;
      }
      if (used < chunk.length) this.leftover = chunk.subarray(used);
      if (parser.paused && this.leftover !== undefined && !this.pipelineHeld && !this.readClosed) continue;
    }
    const parser = this.parser;
    if (parser !== undefined && this.leftover === undefined && parser.idle && !parser.paused && this.current === undefined) {
      // Between requests the parser holds nothing: hand it back so idle connections cost no parser.
      this.parser = undefined;
      this.host.returnParser(parser);
    }
  }

  onHead(head: RequestHead): void {
    const count = ++this.requests;
    const settings = this.host.settings;
    const incoming = head.framing.kind === 'none' ? undefined : new IncomingBody(this.bodyFlowFor(head));
    const req = new ServerRequest(head, this.peer(), count, incoming, settings.maxBodyBytes, settings.trustProxy);
    const res = new ServerResponse(req, this);
    if (!head.keepAlive || this.host.shuttingDown || head.method === 'CONNECT') {
      res.lastOnConnection = true;
    } else if (count >= settings.maxRequestsPerConnection) {
      res.lastOnConnection = true;
      this.closeReason ??= 'max-requests';
    }
    if (this.queue === NO_QUEUE) this.queue = [res];
    else this.queue.push(res);
    this.current = res;
    if (this.queue.length >= PIPELINE_HIGH) {
      this.pipelineHeld = true;
      this.parser!.pause();
      this.socket.pause();
    }
    this.host.observer?.requestHead?.(this.peer(), req, performance.now());
    this.dispatch(req, res);
  }

  onBody(chunk: Buffer): void {
    const res = this.current;
    if (res === undefined) return;
    // a body whose exchange was answered first drops what comes (finished() abandoned it)
    res.request.incomingBody!.push(chunk);
  }

  onTrailers(trailers: HeaderList): void {
    if (this.current !== undefined) this.current.request.trailers = trailers;
  }

  onEnd(): void {
    const res = this.current;
    this.current = undefined;
    if (res === undefined) return;
    res.request.incomingBody?.end();
    if (res.lastOnConnection) {
      this.readClosed = true;
      this.parser!.pause();
    }
  }

  // ---- handlers ------------------------------------------------------------------------------

  private dispatch(req: ServerRequest, res: ServerResponse): void {
    const head = req.head;
    const host = head.headers.get('host');
    if (host !== undefined && !isValidHost(host)) {
      // RFC 9112 §3.2: an invalid Host value is a 400, like a missing or repeated one
      res.closeAfter().status(400).end('400 Bad Request (INVALID_HOST)\n');
      return;
    }
    if (head.headers.has('expect') && !head.expectContinue) {
      res.closeAfter().status(417).end('417 Expectation Failed\n');
      return;
    }
    if (head.targetForm === 'asterisk') {
      // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7).
      res.setHeader('Allow', 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS').end();
      return;
    }
    let result: unknown;
    try {
      result = this.host.handler(req, res);
    } catch (error) {
      this.handlerFailed(res, error);
      return;
    }
    if (result instanceof Promise) result.then(undefined, (error: unknown) => this.handlerFailed(res, error));
  }

  private handlerFailed(res: ServerResponse, error: unknown): void {
    this.host.handlerError(error, res.request);
    if (this.closed) return;
    if (!res.headersSent) {
      renderHandlerError(res, error);
    } else if (!res.finished) {
      // The head is out: the only honest signal left is to cut the message short.
      res.abandon();
    }
  }

  private bodyFlowFor(head: RequestHead): BodyFlow {
    if (!head.expectContinue) return this;
    let sent = false;
    return {
      pauseInput: () => this.pauseInput(),
      resumeInput: () => this.resumeInput(),
      bodyWanted: () => {
        const res = this.current;
        if (sent || res === undefined || res.headersSent) return;
        sent = true;
        this.emit(res, 'HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
      },
    };
  }

  pauseInput(): void {
    if (this.bodyHeld) return;
    this.bodyHeld = true;
    this.socket.pause();
  }

  resumeInput(): void {
    if (!this.bodyHeld) return;
    this.bodyHeld = false;
    this.socket.resume();
    if (this.leftover !== undefined) {
      this.beginBatch();
      this.pump();
      this.endBatch();
    }
  }

  bodyWanted(): void {}

  // ---- output (ResponseChannel) ------------------------------------------------------------------

  emit(res: ServerResponse, data: string | Buffer, encoding: BufferEncoding): boolean {
    if (this.queue[0] === res) return this.write(data, encoding);
    (res.pendingOut ??= []).push(data);
    return false;
  }

  protected tapOut(): ((bytes: Buffer) => void) | undefined {
    const observer = this.host.observer;
    if (observer?.bytesOut === undefined) return undefined;
    return (bytes) => observer.bytesOut!(this, bytes, performance.now());
  }

  drain(res: ServerResponse): Promise<void> {
    if (this.closed) return Promise.reject(new HttpError(499, 'Client closed the connection', { expose: false }));
    if (this.queue[0] === res && !this.socket.writableNeedDrain) return Promise.resolve();
    if (this.drainWaiters === undefined) {
      this.drainWaiters = [];
      this.socket.on('drain', this.host.drainListener);
    }
    return new Promise((resolve, reject) => this.drainWaiters!.push({ res, resolve, reject }));
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === undefined || this.socket.writableNeedDrain) return;
    const front = this.queue[0];
    const still = waiters.filter((w) => w.res !== front);
    this.drainWaiters = still.length > 0 ? still : undefined;
    if (still.length === 0) this.socket.off('drain', this.host.drainListener);
    for (const w of waiters) if (w.res === front) w.resolve();
  }

  mustClose(res: ServerResponse): boolean {
    return res.lastOnConnection || res.closeRequestedByHandler || this.host.shuttingDown;
  }

  finished(res: ServerResponse, complete: boolean): void {
    if (!complete) res.willClose = true;
    const incoming = res.request.incomingBody;
    if (incoming !== undefined && !incoming.complete) {
      // Answered before its body ended. A handler that stopped mid-body leaves a remainder of any
      // size: close after this response. An untouched body is drained to keep the connection.
      if (incoming.touched) res.willClose = true;
      incoming.abandon();
    }
    this.host.observer?.responseEnd?.(this.peer(), res.request, res, performance.now(), res.bodyBytes);
    if (this.queue[0] === res) this.advance();
  }

  /** advance retires finished responses from the front and lets the next one write. */
  private advance(): void {
    const queue = this.queue;
    while (queue.length > 0 && queue[0]!.finished) {
      const done = queue.shift()!;
      if (done.willClose) {
        queue.length = 0; // requests after a closing response are not answered (RFC 9112 §9.6)
        this.readClosed = true;
        this.endSocket('server-close');
        return;
      }
      const next = queue[0];
      if (next?.pendingOut !== undefined) {
        const out = next.pendingOut;
        next.pendingOut = undefined;
        for (const piece of out) this.write(piece, 'latin1');
      }
    }
    if (queue.length === 0) {
      this.lastActivity = clock(); // the keep-alive idle time starts when the last response is out
      if (this.fatal !== undefined) {
        this.write(this.fatal, 'latin1');
        this.fatal = undefined;
        this.endSocket(this.closeReason ?? 'protocol-error');
      } else if (this.readClosed) {
        this.endSocket(this.closeReason ?? 'server-close');
      }
    }
    if (this.pipelineHeld && queue.length <= PIPELINE_LOW) {
      this.pipelineHeld = false;
      if (!this.bodyHeld) this.socket.resume();
      this.beginBatch();
      this.pump();
      this.endBatch();
    }
    this.wakeDrainWaiters();
  }

  // ---- errors, timeouts and closing ------------------------------------------------------------

  private protocolError(error: unknown): void {
    if (!(error instanceof WireError)) throw error;
    const status = statusForWireError(error);
    this.closeReason = 'protocol-error';
    this.host.observer?.protocolError?.(this.peer(), error, status, performance.now());
    this.readClosed = true;
    this.leftover = undefined;
    const res = this.current;
    if (res !== undefined) {
      // Mid-body: the exchange already has a handler, and it answers (its body read rejects with
      // the status). If it has answered already, there is nothing more to say: just close.
      res.request.incomingBody?.fail(wireToHttpError(error));
      if (!res.finished) res.closeAfter();
      else if (this.queue.length === 0) this.endSocket('protocol-error');
      return;
    }
    this.sendFatal(status, error.code);
  }

  private sendFatal(status: number, code?: string): void {
    this.readClosed = true;
    this.fatal = protocolErrorResponse(status, httpDate(), this.host.settings.serverName, code);
    if (this.queue.length === 0) this.advance();
  }

  /** endSocket half-closes after the last response; the client's FIN (or the linger limit) ends it. */
  endSocket(reason: CloseReason): void {
    if (this.endedAt !== -1) return;
    this.closeReason ??= reason;
    this.endedAt = clock();
    this.readClosed = true;
    this.flushBatch();
    this.socket.end();
    // Lingering close: read and drop until the client's FIN. A socket left paused (by a body or the
    // pipeline) would stall the sender and, at the linger limit, be destroyed with unread bytes,
    // which the kernel answers with an RST that can wipe out the response we just sent.
    this.bodyHeld = false;
    this.pipelineHeld = false;
    this.socket.resume();
  }

  /** sweep enforces the idle, header and body timeouts; `now` is clock(). The server calls it for every connection. */
  sweep(now: number): void {
    if (this.closed) return;
    const s = this.host.settings;
    const pending = this.socket.writableLength;
    if (pending > 0) {
      // Bytes still leaving to a slow reader: busy, not idle, as long as they move. A reader that
      // takes nothing for bodyTimeout is cut (nginx's send_timeout); the idle and linger timers
      // would otherwise drop what is still queued.
      const sent = this.socket.bytesWritten - pending;
      if (this.sendMark === -1 || sent !== this.sentBefore) {
        this.sentBefore = sent;
        this.sendMark = now;
      }
      if (now - this.sendMark <= s.bodyTimeout) {
        this.lastActivity = now;
        if (this.endedAt !== -1) this.endedAt = now;
        return;
      }
      this.closeReason ??= 'send-timeout';
      this.socket.destroy();
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
