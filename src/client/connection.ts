import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser, WireError, type HeaderList, type MessageSink, type ResponseHead } from '../wire/index.js';
import { describe, openSocket, type ConnectPhases, type ConnectTarget } from './connect.js';
import { ClientError, ConnectionClosedError, ParseError, ResetError, fromSocketError } from './errors.js';
import type { ClientCloseReason, ClientConnectionInfo, ClientObserver } from './types.js';

/** How long a connection the last response ended waits for the server's FIN before closing itself. */
const SERVER_FIN_WAIT_MS = 100;

export { abortError, type ConnectPhases, type ConnectTarget } from './connect.js';

/** Exchange receives one response's events from the connection it was sent on. */
export interface Exchange {
  readonly method: string;
  /** A 1xx response other than 101 arrived (e.g. 100 Continue). */
  onInformational(head: ResponseHead): void;
  onFirstByte(): void;
  onHead(head: ResponseHead): void;
  /** Returns false to ask the connection to stop reading until `resumeReading()`. */
  onBody(chunk: Buffer): boolean;
  onTrailers(trailers: HeaderList): void;
  onEnd(): void;
  onError(error: ClientError): void;
}

/**
 * Connection is one client socket plus its ResponseParser. Requests are written in order and their
 * responses dispatched in the same order to a queue of Exchanges (pipelining when the queue holds
 * more than one). The connection never decides about pooling: it reports `onIdle` and `onClosed`.
 */
export class Connection implements MessageSink<ResponseHead> {
  readonly id: number;
  readonly target: ConnectTarget;
  readonly socket: Socket;
  readonly phases: ConnectPhases;
  info: ClientConnectionInfo;
  closeReason: ClientCloseReason | undefined;
  /** Requests written on this connection so far. */
  requests = 0;
  /** performance.now() when it last became idle. */
  idleSince = 0;
  /** Set by the last final response: false when the server will close (or we must). */
  keepAlive = true;
  /** True while a request body is still being written (no pipelining behind it). */
  writing = false;
  onIdle: ((conn: Connection) => void) | undefined;
  onClosed: ((conn: Connection) => void) | undefined;
  private readonly parser: ResponseParser;
  private readonly queue: Exchange[] = [];
  private informational = false;
  private bytesThisResponse = 0;
  private readonly observer: ClientObserver | undefined;
  /** Set while waiting for the server's FIN after a response that ends the connection. */
  private closeTimer: NodeJS.Timeout | undefined;

  private constructor(target: ConnectTarget, socket: Socket, phases: ConnectPhases) {
    this.id = target.id;
    this.target = target;
    this.socket = socket;
    this.phases = phases;
    this.observer = target.observer;
    this.info = describe(target, socket);
    this.parser = new ResponseParser(this);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEof());
    socket.on('error', (error) => this.fail(fromSocketError(error, 'exchange', target.host), 'server-reset'));
    socket.on('close', () => this.onSocketClose());
  }

  /** open connects (TCP, then TLS for https) and resolves once the connection can carry a request. */
  static open(target: ConnectTarget): Promise<Connection> {
    return openSocket(target, (socket, phases) => new Connection(target, socket, phases));
  }

  /** busy reports how many responses are outstanding. */
  get pending(): number {
    return this.queue.length;
  }

  get closed(): boolean {
    return this.closeReason !== undefined || this.closeTimer !== undefined || this.socket.destroyed || this.socket.readableEnded;
  }

  /** closeNow is the agent's close: a connection already waiting for the server's FIN finishes that wait. */
  closeNow(reason: ClientCloseReason): void {
    if (this.closeTimer === undefined) this.destroy(reason);
  }

  /** send registers an exchange whose request is about to be written; responses arrive in this order. */
  send(exchange: Exchange): void {
    this.requests++;
    this.queue.push(exchange);
    this.parser.expect(exchange.method);
    if (this.queue.length === 1) this.bytesThisResponse = 0;
  }

  /** write puts bytes on the wire (and shows them to the observer); returns socket.write's result. */
  write(bytes: Buffer): boolean {
    this.observer?.bytesOut?.(this.info, bytes, performance.now());
    return this.socket.write(bytes);
  }

  /** drain resolves when the socket can take more bytes, or when it closes. */
  drain(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.removeListener('drain', done);
        this.socket.removeListener('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed || this.socket.readable) this.socket.resume();
  }

  /** destroy closes the socket now; outstanding exchanges fail with `error` (if given). */
  destroy(reason: ClientCloseReason, error?: ClientError): void {
    if (this.closeReason === undefined) this.closeReason = reason;
    if (error !== undefined) this.failQueue(error);
    this.socket.destroy();
  }

  // MessageSink: called synchronously from parser.feed().
  onHead(head: ResponseHead): void {
    const ex = this.queue[0];
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      this.informational = true;
      ex?.onInformational(head);
      return;
    }
    this.keepAlive = head.keepAlive;
    ex?.onHead(head);
  }

  onBody(chunk: Buffer): void {
    if (this.queue[0]?.onBody(chunk) === false) this.pauseReading();
  }

  onTrailers(trailers: HeaderList): void {
    this.queue[0]?.onTrailers(trailers);
  }

  onEnd(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    const ex = this.queue.shift();
    this.bytesThisResponse = 0;
    ex?.onEnd();
    if (!this.keepAlive) {
      this.awaitServerClose();
      return;
    }
    if (this.queue.length === 0) {
      this.idleSince = performance.now();
      // Deferred so a pool hand-over never re-enters parser.feed().
      queueMicrotask(() => {
        if (this.queue.length === 0 && !this.closed) this.onIdle?.(this);
      });
    }
  }

  /**
   * After a response that ends the connection, the server's FIN is normally right behind it: give it
   * a moment to arrive so the report (and the pcap) says who really closed first, then close ourselves.
   */
  private awaitServerClose(): void {
    if (this.closeReason !== undefined || this.socket.readableEnded) {
      this.socket.destroy();
      return;
    }
    this.closeTimer = setTimeout(() => this.destroy('client-close'), SERVER_FIN_WAIT_MS);
  }

  private onData(chunk: Buffer): void {
    this.observer?.bytesIn?.(this.info, chunk, performance.now());
    if (this.queue.length === 0) {
      // Bytes nobody asked for (a 408 before an idle close, garbage): the connection is unusable.
      this.destroy('protocol-error');
      return;
    }
    if (this.bytesThisResponse === 0) this.queue[0]!.onFirstByte();
    this.bytesThisResponse += chunk.length;
    try {
      this.parser.feed(chunk);
    } catch (error) {
      if (error instanceof WireError) this.fail(new ParseError(`invalid response: ${error.message} at byte ${error.offset}`, { cause: error }), 'protocol-error');
      else throw error;
    }
  }

  private onEof(): void {
    if (this.closeReason === undefined) this.closeReason = 'server-fin';
    if (this.queue.length === 0) return;
    if (this.bytesThisResponse === 0) {
      const reused = this.requests > 1;
      const text = reused
        ? `the server closed re-used connection #${this.id} before answering`
        : 'the server closed the connection without sending a response (empty reply)';
      this.failQueue(new ConnectionClosedError(text, reused));
      return;
    }
    try {
      this.parser.finish();
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.failQueue(new ResetError('the server closed the connection before the response was complete', true, { cause: error }));
    }
    if (this.queue.length > 0) this.failQueue(new ConnectionClosedError('the server closed the connection before answering every pipelined request', true));
  }

  private fail(error: ClientError, reason: ClientCloseReason): void {
    this.destroy(reason, error);
  }

  private failQueue(error: ClientError): void {
    const queue = this.queue.splice(0);
    for (const ex of queue) ex.onError(error);
  }

  private onSocketClose(): void {
    clearTimeout(this.closeTimer);
    if (this.closeReason === undefined) this.closeReason = 'server-reset';
    if (this.queue.length > 0) this.failQueue(new ResetError('the connection closed unexpectedly', false));
    this.observer?.close?.(this.info, this.closeReason, performance.now());
    this.onClosed?.(this);
  }
}
