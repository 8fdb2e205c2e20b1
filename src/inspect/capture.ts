import { performance } from 'node:perf_hooks';
import type { ClientCloseReason, ClientConnectionInfo, ClientObserver } from '../client/types.js';
import type { CloseReason, ConnectionInfo, ConnectionObserver } from '../server/types.js';
import type { RelayEvent } from './relay.js';

/** Side names an end of a connection: the one that opened it ('client') or the one that accepted it. */
export type Side = 'client' | 'server';

/** Closer names who ended a connection; 'proxy' is a relay cutting it (a lab switch), 'error' a failure. */
export type Closer = 'client' | 'server' | 'proxy' | 'error';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * CaptureEvent is the one source-neutral model every inspector output consumes (trace, HAR, pcap,
 * the live page): the server engine, the client and the relay are adapted to it below. `time` is
 * wall-clock milliseconds since the epoch (fractional), so files can carry absolute timestamps.
 *
 * - `data` holds the HTTP bytes exactly as sent by `from` (plaintext on TLS connections).
 * - `wire` holds the bytes as they crossed TCP on a TLS connection (ciphertext, handshake included);
 *   it is only produced where the source can see them. A pcap prefers `wire` over `data` when secure.
 * - `open.upstream` is set by a relay: the server it forwards to (`server` is the relay's own end).
 * - `keylog` is one NSS key log line (SSLKEYLOGFILE format, without the trailing LF).
 * Buffers are the source's own (no copy): consumers must not mutate them.
 */
export type CaptureEvent =
  | { readonly kind: 'open'; readonly id: number; readonly client: Endpoint; readonly server: Endpoint; readonly secure: boolean; readonly time: number; readonly upstream?: Endpoint }
  | { readonly kind: 'data'; readonly id: number; readonly from: Side; readonly bytes: Buffer; readonly time: number }
  | { readonly kind: 'wire'; readonly id: number; readonly from: Side; readonly bytes: Buffer; readonly time: number }
  | { readonly kind: 'tls'; readonly id: number; readonly protocol: string | null; readonly time: number }
  | { readonly kind: 'keylog'; readonly id: number; readonly line: string; readonly time: number }
  | { readonly kind: 'close'; readonly id: number; readonly by: Closer; readonly reason: string; readonly time: number };

/** CaptureSink receives capture events in order. */
export type CaptureSink = (event: CaptureEvent) => void;

/** wallClock turns a performance.now() reading into epoch milliseconds. */
export function wallClock(perfTime: number): number {
  return performance.timeOrigin + perfTime;
}

/** SERVER_CLOSE says who closed and why, in words, for each engine CloseReason. */
const SERVER_CLOSE: Record<CloseReason, { by: Closer; reason: string }> = {
  'client-fin': { by: 'client', reason: 'client FIN' },
  'client-reset': { by: 'client', reason: 'client reset' },
  'server-close': { by: 'server', reason: 'server close' },
  'idle-timeout': { by: 'server', reason: 'idle timeout' },
  'headers-timeout': { by: 'server', reason: 'headers timeout' },
  'body-timeout': { by: 'server', reason: 'body timeout' },
  'send-timeout': { by: 'server', reason: 'send timeout (the client stopped reading)' },
  'protocol-error': { by: 'server', reason: 'protocol error' },
  'max-requests': { by: 'server', reason: 'max requests per connection' },
  shutdown: { by: 'server', reason: 'server shutdown' },
  'handler-error': { by: 'server', reason: 'handler error' },
  upgrade: { by: 'server', reason: 'protocol upgrade' },
};

const CLIENT_CLOSE: Record<ClientCloseReason, { by: Closer; reason: string }> = {
  'server-fin': { by: 'server', reason: 'server FIN' },
  'server-reset': { by: 'server', reason: 'server reset' },
  'client-close': { by: 'client', reason: 'client close' },
  'idle-timeout': { by: 'client', reason: 'idle timeout' },
  'agent-close': { by: 'client', reason: 'client done' },
  timeout: { by: 'client', reason: 'timeout' },
  aborted: { by: 'client', reason: 'aborted' },
  'protocol-error': { by: 'client', reason: 'protocol error' },
  'body-abandoned': { by: 'client', reason: 'body abandoned' },
  'connect-failed': { by: 'error', reason: 'connect failed' },
};

/**
 * fromServerObserver adapts the engine's ConnectionObserver to capture events: bytes read are the
 * client's, bytes written the server's. A protocol error's status is folded into the close reason
 * ('protocol error 400'). Attach it with `server.observe(fromServerObserver(sink))`.
 *
 * With `tlsWire`, TLS connections also report their encrypted bytes as `wire` events (what a pcap
 * needs; it makes the engine run TLS over a JS stream). The handshake happens before the engine's
 * `open`, so those bytes are held by client address until it, and `open` takes the time of the first.
 */
export function fromServerObserver(sink: CaptureSink, options: { tlsWire?: boolean } = {}): ConnectionObserver {
  const errorStatus = new Map<number, number>();
  /** Wire bytes by client `address|port`: held ones before `open`, then the connection id. */
  const wire = new Map<string, { id: number } | { held: Array<{ from: Side; bytes: Buffer; time: number }> }>();
  const observer: ConnectionObserver = {
    open(conn: ConnectionInfo, time: number) {
      const key = `${conn.remoteAddress}|${conn.remotePort}`;
      const early = conn.secure ? wire.get(key) : undefined;
      const held = early !== undefined && 'held' in early ? early.held : [];
      if (conn.secure && options.tlsWire === true) wire.set(key, { id: conn.id });
      sink({
        kind: 'open', id: conn.id, time: Math.min(wallClock(time), held[0]?.time ?? Infinity), secure: conn.secure,
        client: { address: conn.remoteAddress, port: conn.remotePort }, server: { address: conn.localAddress, port: conn.localPort },
      });
      for (const h of held) sink({ kind: 'wire', id: conn.id, ...h });
    },
    secure(conn: ConnectionInfo, time: number, protocol: string | null) {
      sink({ kind: 'tls', id: conn.id, protocol, time: wallClock(time) });
    },
    keylog(conn: ConnectionInfo, line: Buffer) {
      sink({ kind: 'keylog', id: conn.id, line: keylogText(line), time: Date.now() });
    },
    bytesIn(conn: ConnectionInfo, bytes: Buffer, time: number) {
      sink({ kind: 'data', id: conn.id, from: 'client', bytes, time: wallClock(time) });
    },
    bytesOut(conn: ConnectionInfo, bytes: Buffer, time: number) {
      sink({ kind: 'data', id: conn.id, from: 'server', bytes, time: wallClock(time) });
    },
    protocolError(conn: ConnectionInfo, _error: Error, status: number) {
      errorStatus.set(conn.id, status);
    },
    close(conn: ConnectionInfo, reason: CloseReason, time: number) {
      const said = SERVER_CLOSE[reason];
      const status = errorStatus.get(conn.id);
      errorStatus.delete(conn.id);
      if (conn.secure) wire.delete(`${conn.remoteAddress}|${conn.remotePort}`);
      const text = status !== undefined && reason === 'protocol-error' ? `${said.reason} ${status}` : said.reason;
      sink({ kind: 'close', id: conn.id, by: said.by, reason: text, time: wallClock(time) });
    },
  };
  if (options.tlsWire === true) {
    observer.tlsBytes = (peer, from, bytes, time) => {
      const key = `${peer.remoteAddress}|${peer.remotePort}`;
      const known = wire.get(key);
      const event = { from, bytes, time: wallClock(time) };
      if (known === undefined) {
        // A handshake that fails never reaches `open`: bound what such clients leave behind.
        if (wire.size >= 4096) wire.delete(wire.keys().next().value!);
        wire.set(key, { held: [event] });
      }
      else if ('held' in known) known.held.push(event);
      else sink({ kind: 'wire', id: known.id, ...event });
    };
  }
  return observer;
}

/**
 * fromClientObserver adapts the client's ClientObserver: the local end is the client. Reuse of a
 * pooled connection needs no event: the exchange splitter numbers exchanges per connection.
 *
 * With `tlsWire`, https connections also report their encrypted bytes as `wire` events (the client
 * then runs TLS over a JS stream). They start before `open`, so they are held by connection id
 * until it, and `open` takes the time of the first.
 */
export function fromClientObserver(sink: CaptureSink, options: { tlsWire?: boolean } = {}): ClientObserver {
  /** Wire bytes of connections not open yet, by id; the id is in `opened` once it is. */
  const held = new Map<number, Array<{ from: Side; bytes: Buffer; time: number }>>();
  const opened = new Set<number>();
  const observer: ClientObserver = {
    open(conn: ClientConnectionInfo, time: number) {
      const early = held.get(conn.id) ?? [];
      held.delete(conn.id);
      if (options.tlsWire === true && conn.secure) opened.add(conn.id);
      sink({
        kind: 'open', id: conn.id, time: Math.min(wallClock(time), early[0]?.time ?? Infinity), secure: conn.secure,
        client: { address: conn.localAddress, port: conn.localPort }, server: { address: conn.remoteAddress, port: conn.remotePort },
      });
      for (const h of early) sink({ kind: 'wire', id: conn.id, ...h });
    },
    secure(conn: ClientConnectionInfo, time: number, protocol: string | null) {
      sink({ kind: 'tls', id: conn.id, protocol, time: wallClock(time) });
    },
    keylog(conn: ClientConnectionInfo, line: Buffer) {
      sink({ kind: 'keylog', id: conn.id, line: keylogText(line), time: Date.now() });
    },
    bytesOut(conn: ClientConnectionInfo, bytes: Buffer, time: number) {
      sink({ kind: 'data', id: conn.id, from: 'client', bytes, time: wallClock(time) });
    },
    bytesIn(conn: ClientConnectionInfo, bytes: Buffer, time: number) {
      sink({ kind: 'data', id: conn.id, from: 'server', bytes, time: wallClock(time) });
    },
    close(conn: ClientConnectionInfo, reason: ClientCloseReason, time: number) {
      const said = CLIENT_CLOSE[reason];
      held.delete(conn.id);
      opened.delete(conn.id);
      sink({ kind: 'close', id: conn.id, by: said.by, reason: said.reason, time: wallClock(time) });
    },
  };
  if (options.tlsWire === true) {
    observer.tlsBytes = (target, from, bytes, time) => {
      const event = { from, bytes, time: wallClock(time) };
      if (opened.has(target.id)) return sink({ kind: 'wire', id: target.id, ...event });
      const list = held.get(target.id);
      if (list === undefined) held.set(target.id, [event]);
      else list.push(event);
    };
  }
  return observer;
}

/**
 * fromRelay adapts RelayEvent: the relay's client leg is the connection recorded, between the
 * client's address and the relay's own listening address, as the client saw it.
 */
export function fromRelay(sink: CaptureSink): (event: RelayEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'open':
        sink({
          kind: 'open', id: event.id, client: { address: event.client, port: event.clientPort }, server: { address: event.local, port: event.localPort },
          upstream: { address: event.upstream, port: event.upstreamPort }, secure: false, time: wallClock(event.time),
        });
        return;
      case 'data':
        sink({ kind: 'data', id: event.id, from: event.direction === 'in' ? 'client' : 'server', bytes: event.bytes, time: wallClock(event.time) });
        return;
      case 'keylog':
        sink({ kind: 'keylog', id: event.id, line: keylogText(event.line), time: wallClock(event.time) });
        return;
      case 'close': {
        const reason =
          event.proxyReason === 'http1.0'
            ? 'end of an HTTP/1.0 answer without keep-alive (lab switch)'
            : { client: 'client FIN', server: 'upstream server FIN', proxy: 'proxy cut (lab switch)', error: 'connection error' }[event.closedBy];
        sink({ kind: 'close', id: event.id, by: event.closedBy, reason, time: wallClock(event.time) });
        return;
      }
    }
  };
}

/** fanOut delivers each event to several sinks, in the order given. */
export function fanOut(sinks: readonly CaptureSink[]): CaptureSink {
  if (sinks.length === 1) return sinks[0]!;
  return (event) => {
    for (const sink of sinks) sink(event);
  };
}

function keylogText(line: Buffer): string {
  const text = line.toString('latin1');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
