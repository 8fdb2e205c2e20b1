import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { RequestHead } from '../wire/index.js';
import { HeadInjector } from './head-injector.js';
import { Reframer, type ReframeSwitch } from './reframer.js';
import { Shaper, type ShapeOptions } from './shaper.js';

/** Which way bytes went: 'in' from the client to the upstream server, 'out' back to the client. */
export type RelayDirection = 'in' | 'out';

/** Why a relay closed a connection itself: a --drop-after cut, or the end of an HTTP/1.0 answer. */
export type ProxyCloseReason = 'cut' | 'http1.0';

/** What a relay reports per connection; a recorder or trace renderer consumes these. */
export type RelayEvent =
  | { kind: 'open'; id: number; client: string; clientPort: number; local: string; localPort: number; upstream: string; upstreamPort: number; time: number }
  | { kind: 'data'; id: number; direction: RelayDirection; bytes: Buffer; time: number }
  | { kind: 'close'; id: number; closedBy: 'client' | 'server' | 'proxy' | 'error'; time: number; proxyReason?: ProxyCloseReason }
  /** A TLS key log line of the upstream connection (https:// targets). */
  | { kind: 'keylog'; id: number; line: Buffer; time: number };

export interface RelayOptions {
  /** Upstream server to forward to. */
  host: string;
  port: number;
  /** Connect to the upstream with TLS (for https:// targets); the client side stays plain. */
  tls?: { servername?: string; rejectUnauthorized?: boolean };
  onEvent?: (event: RelayEvent) => void;
  /**
   * Header lines to add to each request head (e.g. `Via: 1.1 wirehttp`); when absent the request
   * stream is forwarded untouched.
   */
  extraRequestLines?: (head: RequestHead, client: { address: string; port: number }) => string[];
  /** Lab switches applied to what the server sends back (delay, throttle, cut after N bytes). */
  shape?: ShapeOptions;
  /**
   * Lab switches that re-frame responses (chunked, HTTP/1.0 answers; see Reframer): the one
   * exception to byte for byte, applied before `shape`, so the shaper, the client and the recorded
   * events all see the re-framed bytes. Requests are never changed by them.
   */
  reframe?: readonly ReframeSwitch[];
}

/**
 * startRelay listens on `port`/`host` and forwards every connection to the upstream byte for byte,
 * both ways, adding and changing nothing unless asked (extraRequestLines, reframe, shape), so what it
 * records is exactly what the two peers exchanged. Backpressure is kept with pipe(); a half-close on
 * one side is passed on to the other. When a re-framed HTTP/1.0 answer must be the last, the client
 * gets a FIN after it (closed by 'proxy'), its later bytes are read and dropped, the upstream gets a
 * FIN and is destroyed once the client has closed.
 */
export async function startRelay(port: number, host: string, options: RelayOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  let nextId = 1;
  const sockets = new Set<Socket>();
  const emit = options.onEvent;
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const id = nextId++;
    const upstream = options.tls
      ? tlsConnect({ host: options.host, port: options.port, servername: options.tls.servername ?? options.host, rejectUnauthorized: options.tls.rejectUnauthorized ?? true })
      : netConnect({ host: options.host, port: options.port, allowHalfOpen: true });
    sockets.add(client).add(upstream);
    if (options.tls !== undefined && emit !== undefined) upstream.on('keylog', (line: Buffer) => emit({ kind: 'keylog', id, line, time: performance.now() }));
    let closedBy: 'client' | 'server' | 'proxy' | 'error' | undefined;
    let proxyReason: ProxyCloseReason | undefined;
    // Reported at accept time: the client may send before the upstream connection is up.
    emit?.({ kind: 'open', id, client: client.remoteAddress ?? '', clientPort: client.remotePort ?? 0, local: client.localAddress ?? '', localPort: client.localPort ?? 0, upstream: options.host, upstreamPort: options.port, time: performance.now() });
    if (emit !== undefined) {
      client.on('data', (bytes: Buffer) => emit({ kind: 'data', id, direction: 'in', bytes, time: performance.now() }));
    }
    client.on('end', () => (closedBy ??= 'client'));
    upstream.on('end', () => (closedBy ??= 'server'));
    if (options.extraRequestLines === undefined) {
      client.pipe(upstream);
    } else {
      const peer = { address: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
      const add = options.extraRequestLines;
      client.pipe(new HeadInjector((head) => add(head, peer))).pipe(upstream);
    }
    let outTap: Readable = upstream;
    if (options.reframe !== undefined && options.reframe.length > 0) {
      const reframer = new Reframer(options.reframe, () => {
        closedBy ??= 'proxy'; // unless the client had already sent its FIN
        proxyReason = 'http1.0';
        client.unpipe();
        client.resume();
        upstream.end();
        client.once('close', () => upstream.destroy());
      });
      // Registered before any answer can come back: each answer meets its request.
      client.on('data', (bytes: Buffer) => reframer.request(bytes));
      reframer.on('error', () => fail());
      outTap = upstream.pipe(reframer);
    }
    const shape = options.shape;
    if (shape !== undefined && (shape.delayMs !== undefined || shape.bytesPerSecond !== undefined || shape.dropAfter !== undefined)) {
      const shaper = new Shaper(shape, () => {
        closedBy = 'proxy';
        proxyReason = 'cut';
        client.destroy();
        upstream.destroy();
      });
      outTap = outTap.pipe(shaper);
    }
    outTap.pipe(client);
    // What the client receives is recorded, after any lab switch has shaped it.
    if (emit !== undefined) outTap.on('data', (bytes: Buffer) => emit({ kind: 'data', id, direction: 'out', bytes, time: performance.now() }));
    const fail = (): void => {
      closedBy ??= 'error';
      client.destroy();
      upstream.destroy();
    };
    client.on('error', fail);
    upstream.on('error', fail);
    let open = 2;
    const closed = (s: Socket) => (): void => {
      sockets.delete(s);
      if (--open === 0) emit?.({ kind: 'close', id, closedBy: closedBy ?? 'error', time: performance.now(), ...(closedBy === 'proxy' ? { proxyReason } : {}) });
    };
    client.on('close', closed(client));
    upstream.on('close', closed(upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
