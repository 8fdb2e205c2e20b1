import { performance } from 'node:perf_hooks';
import { WireError, type HeaderList, type MessageSink, type RequestHead } from '../wire/index.js';
import { clock, clockAt, ConnectionState, NO_QUEUE } from './connection-state.js';
import { httpDate, tick } from './date-cache.js';
import { protocolErrorResponse, statusForWireError, wireToHttpError } from './error-status.js';
import { isValidHost } from './host.js';
import { HttpError } from './http-error.js';
import { IncomingBody, type BodyFlow } from './incoming-body.js';
import { ServerRequest } from './request.js';
import type { ResponseChannel } from './response.js';
import { ServerResponse } from './response.js';
import { renderHandlerError } from './handler-error.js';


/** Pipelined requests answered ahead of the one being written: past HIGH the parser pauses. */
const PIPELINE_HIGH = 64;
const PIPELINE_LOW = 16;

/**
 * Connection runs HTTP/1.1 on one socket: it feeds the parser, starts a handler per request head,
 * writes responses strictly in request order (RFC 9112 §9.3.2) and decides keep-alive and close.
 * All writes made while one read is processed leave together (batched-writer.ts); timeouts, lingering
 * close and shutdown live in connection-state.ts.
 */
export class Connection extends ConnectionState implements MessageSink<RequestHead>, ResponseChannel, BodyFlow {
  /** An error response to send once every earlier response is out. */
  private fatal: string | undefined;
  private drainWaiters: Array<{ res: ServerResponse; resolve: () => void; reject: (e: Error) => void }> | undefined;

  // ---- socket events -------------------------------------------------------------------------

  onSocketData(chunk: Buffer): void {
    const now = Date.now();
    this.lastActivity = clockAt(now);
    tick(now);
    this.host.observer?.bytesIn?.(this.peer(), chunk, performance.now());
    if (this.readClosed) return; // lingering close: read and drop
    if (this.leftover !== undefined) {
      this.leftover = Buffer.concat([this.leftover, chunk]);
      return;
    }
    this.leftover = chunk;
    this.processInput();
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
    if (this.outputHeld) {
      this.outputHeld = false;
      if (this.drainWaiters === undefined) this.socket.off('drain', this.host.drainListener);
      if (this.mayRead) this.resumeReading();
      this.processInput();
    }
    this.wakeDrainWaiters();
  }

  onSocketError(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (this.closeReason === undefined) this.closeReason = code === 'ECONNRESET' || code === 'EPIPE' ? 'client-reset' : 'server-close';
  }

  onSocketClose(): void {
    if (!this.markClosed()) return;
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
    const parser = this.parser;
    this.parser = undefined;
    if (parser?.reusable === true) this.host.returnParser(parser);
    this.host.connectionClosed(this);
  }

  // ---- parsing -------------------------------------------------------------------------------

  /** pump feeds held bytes to the parser until they are used up or input is held back. */
  protected pump(): void {
    while (this.leftover !== undefined && !this.readClosed && !this.parsingHeld) {
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
      if (parser.paused && this.leftover !== undefined && !this.parsingHeld && !this.readClosed) continue;
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
      this.pauseReading();
    } else if (this.socket.writableNeedDrain && !this.outputHeld) {
      // Another request while earlier answers sit unread: read no more until they drain, or a client
      // that pipelines without reading would pile up every answer in our memory (node:http does the same).
      this.outputHeld = true;
      this.parser!.pause();
      this.pauseReading();
      if (this.drainWaiters === undefined) this.socket.on('drain', this.host.drainListener);
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
    this.pauseReading();
  }

  resumeInput(): void {
    if (!this.bodyHeld) return;
    this.bodyHeld = false;
    if (this.mayRead) this.resumeReading();
    if (this.leftover !== undefined) {
      this.processInput();
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
      if (!this.outputHeld) this.socket.on('drain', this.host.drainListener); // else it listens already
    }
    return new Promise((resolve, reject) => this.drainWaiters!.push({ res, resolve, reject }));
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === undefined || this.socket.writableNeedDrain) return;
    const front = this.queue[0];
    const still = waiters.filter((w) => w.res !== front);
    this.drainWaiters = still.length > 0 ? still : undefined;
    if (still.length === 0 && !this.outputHeld) this.socket.off('drain', this.host.drainListener);
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
        this.endSocket('server-close', !this.clientClosing(done));
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
      if (this.mayRead) this.resumeReading();
      this.processInput();
    }
    this.wakeDrainWaiters();
  }

  // ---- errors, timeouts and closing ------------------------------------------------------------

  /** clientClosing: the client asked to close with this request, sent all of it and nothing after. */
  private clientClosing(res: ServerResponse): boolean {
    const incoming = res.request.incomingBody;
    return !res.request.head.keepAlive && this.leftover === undefined && (incoming === undefined || incoming.complete);
  }

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

  protected sendFatal(status: number, code?: string): void {
    this.readClosed = true;
    this.fatal = protocolErrorResponse(status, httpDate(), this.host.settings.serverName, code);
    if (this.queue.length === 0) this.advance();
  }
}
