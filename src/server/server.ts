import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { RequestParser, resolveLimits, type MessageSink, type RequestHead } from '../wire/index.js';
import { Connection } from './connection.js';
import { DirectReads } from './direct-reads.js';
import { ConnectionRegistry } from './connection-registry.js';
import { clock, type ConnectionHost, type ConnectionState, type Settings } from './connection-state.js';
import { isHttpError } from './http-error.js';
import { ProxyTrust } from './trust-proxy.js';
import { tapTlsWire } from './tls-tap.js';
import type { ServerRequest } from './request.js';
import type { ConnectionObserver, Handler, ServerOptions } from './types.js';

const kConnection = Symbol('wirehttp.connection');
/** Key log lines a TLS socket produced before it had a Connection, for the observer (see accept()). */
const kEarlyKeys = Symbol('wirehttp.earlyKeys');
type TaggedSocket = Socket & { [kConnection]: Connection | undefined };
/**
 * TLS 1.3 suites plus TLS 1.2 suites with forward secrecy and AEAD only (Mozilla's "intermediate"
 * profile): node's default list also accepts RSA key exchange and CBC suites (AES128-SHA…) via HIGH.
 */
const MODERN_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384',
].join(':');
/** What a pooled parser is bound to between connections. */
const NO_SINK: MessageSink<RequestHead> = { onHead() {}, onBody() {}, onTrailers() {}, onEnd() {} };
/** How long close() waits for the first request of a connection that has sent nothing yet. */
const FRESH_GRACE_MS = 1000;

// Shared listeners: one function for all sockets instead of closures per connection (idle memory).
function onData(this: TaggedSocket, chunk: Buffer): void {
  this[kConnection]?.onSocketData(chunk);
}
/** Plain TCP sockets skip the 'data' event: their reads reach the connection directly. */
const directReads = new DirectReads((socket, chunk) => (socket as TaggedSocket)[kConnection]?.onSocketData(chunk));
function onEnd(this: TaggedSocket): void {
  this[kConnection]?.onSocketEnd();
}

/**
 * listenForEnd attaches onEnd. net.Socket listens for its own 'end' (onReadableStreamEnd: it stops
 * writes when allowHalfOpen is false and does nothing otherwise), and a second listener makes node keep
 * an array per socket. Our servers always allow half-open sockets, so that no-op listener gives way to
 * ours: one function instead of an array on every idle connection.
 */
function listenForEnd(socket: Socket): void {
  const own = socket.listeners('end');
  const halfOpen = (socket as Socket & { allowHalfOpen?: boolean }).allowHalfOpen === true;
  if (halfOpen && own.length === 1 && own[0]!.name === 'onReadableStreamEnd') socket.removeListener('end', own[0] as () => void);
  socket.on('end', onEnd);
}

/** onDrain is attached only while a handler waits for drain(): idle sockets carry one listener fewer. */
export function onDrain(this: Socket): void {
  (this as TaggedSocket)[kConnection]?.onSocketDrain();
}
function onError(this: TaggedSocket, error: Error): void {
  this[kConnection]?.onSocketError(error);
}
function onClose(this: TaggedSocket): void {
  const conn = this[kConnection];
  // node keeps a closed socket alive for a while (long enough to be promoted to the old generation):
  // let go of the connection, its parser and its exchanges, so they die young.
  this[kConnection] = undefined;
  conn?.onSocketClose();
}

/** Errors the server reports but survives: handler failures and accept errors (e.g. EMFILE). */
export type ServerErrorListener = (error: unknown, req?: ServerRequest) => void;

/**
 * Server accepts connections on node:net (or node:tls) and runs a Connection per socket.
 * Timeouts are enforced by one sweep over all connections instead of a timer per socket.
 */
export class Server implements ConnectionHost {
  readonly handler: Handler;
  readonly settings: Settings;
  observer: ConnectionObserver | undefined;
  shuttingDown = false;
  readonly drainListener = onDrain;
  private readonly net: NetServer;
  private readonly connections = new ConnectionRegistry<ConnectionState>();
  private nextId = 1;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closeWaiters: Array<() => void> = [];
  private errorListener: ServerErrorListener | undefined;
  /** Idle parsers shared by all connections (bounded; the rest are left to the GC). */
  private readonly parserPool: RequestParser[] = [];

  constructor(handler: Handler, options: ServerOptions = {}) {
    this.handler = handler;
    const limits = resolveLimits(options.limits);
    this.settings = {
      keepAliveTimeout: options.keepAliveTimeout ?? 5000,
      headersTimeout: options.headersTimeout ?? 10_000,
      bodyTimeout: options.bodyTimeout ?? 30_000,
      maxRequestsPerConnection: options.maxRequestsPerConnection ?? 1000,
      maxBodyBytes: limits.maxBodyBytes,
      serverName: options.serverName ?? 'wirehttp',
      parserOptions: { limits, allowBareLf: options.allowBareLf ?? false },
      trustProxy: options.trustProxy === undefined || options.trustProxy.length === 0 ? undefined : new ProxyTrust(options.trustProxy),
    };
    const accept = (socket: Socket): void => this.accept(socket);
    if (options.tls !== undefined) {
      const tls = createTlsServer(
        {
          key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, minVersion: options.tls.minVersion ?? 'TLSv1.2',
          ciphers: MODERN_CIPHERS, honorCipherOrder: true, allowHalfOpen: true,
        },
        accept,
      );
      tapTlsWire(tls, () => this.observer);
      tls.on('keylog', (line: Buffer, socket: TLSSocket) => {
        const tagged = socket as unknown as Partial<TaggedSocket> & { [kEarlyKeys]?: Buffer[] };
        const conn = tagged[kConnection];
        if (conn !== undefined) this.observer?.keylog?.(conn.peer(), line);
        // TLS 1.3 logs every secret during the handshake, before accept() makes the Connection.
        else if (this.observer?.keylog !== undefined) (tagged[kEarlyKeys] ??= []).push(line);
      });
      tls.on('tlsClientError', () => {}); // a failed handshake is the client's problem; keep serving
      this.net = tls;
    } else {
      this.net = createNetServer({ allowHalfOpen: true, noDelay: true }, accept);
    }
    this.net.on('error', (error) => this.reportError(error));
  }

  /** listen binds and resolves with the address (port 0 picks a free port). Rejects on EADDRINUSE etc. */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onListenError = (error: Error): void => reject(error);
      this.net.once('error', onListenError);
      this.net.listen({ port, host, backlog: 1024 }, () => {
        this.net.off('error', onListenError);
        this.startSweep();
        resolve(this.net.address() as AddressInfo);
      });
    });
  }

  /** address returns the bound address, or null before listen(). */
  address(): AddressInfo | null {
    const a = this.net.address();
    return a === null || typeof a === 'string' ? null : a;
  }

  /** connectionCount is the number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** observe attaches the inspector seam (one observer; pass undefined to detach). */
  observe(observer: ConnectionObserver | undefined): this {
    this.observer = observer;
    return this;
  }

  /** onError sets where handler failures and accept errors are reported (default: ignored). */
  onError(listener: ServerErrorListener | undefined): this {
    this.errorListener = listener;
    return this;
  }

  /**
   * close stops accepting, lets requests in flight finish (their responses say Connection: close),
   * closes idle connections at once (connections that have not sent anything yet after up to 1 s, so a
   * request racing the shutdown is still answered), and resolves when every connection is gone. After `graceMs`
   * (default 10 s) the remaining connections are destroyed.
   */
  close(graceMs = 10_000): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      this.net.close();
      this.connections.forEach((conn) => conn.shutdown());
      if (this.connections.size > 0) {
        setTimeout(() => {
          this.connections.forEach((conn) => conn.shutdown(true));
        }, Math.min(graceMs, FRESH_GRACE_MS)).unref();
        setTimeout(() => {
          this.connections.forEach((conn) => conn.socket.destroy());
        }, graceMs).unref();
      }
    }
    if (this.connections.size === 0) {
      this.stopSweep();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  // ---- ConnectionHost ----------------------------------------------------------------------------

  connectionClosed(conn: ConnectionState): void {
    this.connections.remove(conn);
    if (this.shuttingDown && this.connections.size === 0) {
      this.stopSweep();
      const waiters = this.closeWaiters;
      this.closeWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  takeParser(sink: MessageSink<RequestHead>): RequestParser {
    const parser = this.parserPool.pop();
    if (parser === undefined) return new RequestParser(sink, this.settings.parserOptions);
    parser.rebind(sink);
    return parser;
  }

  returnParser(parser: RequestParser): void {
    if (this.parserPool.length >= 256) return;
    // A pooled parser is old; pointing at the connection it served would keep that connection (and
    // its socket) alive through every young-generation GC until the parser is lent again.
    parser.rebind(NO_SINK);
    this.parserPool.push(parser);
  }

  handlerError(error: unknown, req: ServerRequest): void {
    if (isHttpError(error) && error.status < 500) return; // an answer, not a failure
    this.reportError(error, req);
  }

  private reportError(error: unknown, req?: ServerRequest): void {
    this.errorListener?.(error, req);
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this.nextId++, this);
    (socket as TaggedSocket)[kConnection] = conn;
    this.connections.add(conn);
    if (directReads.attach(socket)) conn.readsDirectly();
    else socket.on('data', onData);
    listenForEnd(socket);
    socket.on('error', onError);
    socket.on('close', onClose);
    const observer = this.observer;
    if (observer === undefined) return;
    const now = performance.now();
    observer.open?.(conn.peer(), now);
    // A TLS socket reaches accept() on 'secureConnection': its handshake is already done.
    if (conn.secure) observer.secure?.(conn.peer(), now, (socket as TLSSocket).getProtocol());
    const early = (socket as Socket & { [kEarlyKeys]?: Buffer[] })[kEarlyKeys];
    if (early !== undefined && observer.keylog !== undefined) for (const line of early) observer.keylog(conn.peer(), line);
  }

  private startSweep(): void {
    if (this.sweepTimer !== undefined) return;
    const s = this.settings;
    const period = Math.max(20, Math.min(1000, Math.floor(Math.min(s.keepAliveTimeout, s.headersTimeout, s.bodyTimeout) / 4)));
    this.sweepTimer = setInterval(() => {
      const now = clock();
      this.connections.forEach((conn) => conn.sweep(now));
    }, period);
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}

/** createServer returns a Server running `handler` for every request; call listen() to start. */
export function createServer(handler: Handler, options?: ServerOptions): Server {
  return new Server(handler, options);
}
