import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** Socket fields a TLSSocket over a JS stream cannot ask the kernel for: read from the TCP socket. */
const ADDRESS_FIELDS = ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort'] as const;

/**
 * connectTlsTapped opens TCP to `host:port` and runs TLS over a pass-through stream, so `report`
 * sees the encrypted bytes both ways (handshake included) as they cross TCP: what a packet capture
 * needs, since a TLSSocket on a plain TCP handle reads and writes it natively, out of JavaScript's
 * sight. It is slower than tls.connect, so the client uses it only when an observer asks
 * (ClientObserver.tlsBytes).
 *
 * The returned TLSSocket behaves as tls.connect's does for the client: the TCP socket's 'lookup' and
 * 'connect' are re-emitted on it (as node does for a net.Socket given as `socket`), its errors
 * destroy the TLS socket with the same error (codes kept), the address fields are the TCP socket's,
 * and ref/unref reach the TCP socket (an idle pooled connection must not keep the process alive).
 */
export function connectTlsTapped(
  host: string,
  port: number,
  options: ConnectionOptions,
  report: (from: 'client' | 'server', bytes: Buffer, time: number) => void,
): TLSSocket {
  const raw: Socket = netConnect({ host, port, noDelay: true });
  const tap = new Duplex({
    allowHalfOpen: true,
    read: () => void raw.resume(),
    write: (chunk: Buffer, _encoding, done) => {
      report('client', chunk, performance.now());
      raw.write(chunk, done);
    },
    final: (done) => void raw.end(done),
    destroy: (error, done) => {
      raw.destroy(error ?? undefined);
      done(error);
    },
  });
  raw.on('data', (chunk: Buffer) => {
    report('server', chunk, performance.now());
    if (!tap.push(chunk)) raw.pause();
  });
  raw.on('end', () => tap.push(null));
  raw.on('close', () => tap.destroy());
  const tls = tlsConnect({ ...options, socket: tap });
  raw.on('error', (error) => tls.destroy(error));
  raw.once('lookup', (...args: unknown[]) => tls.emit('lookup', ...args));
  raw.once('connect', () => tls.emit('connect'));
  for (const name of ADDRESS_FIELDS) Object.defineProperty(tls, name, { get: () => raw[name], configurable: true });
  const { ref, unref } = tls;
  tls.ref = function (this: TLSSocket) {
    raw.ref();
    return ref.call(this);
  };
  tls.unref = function (this: TLSSocket) {
    raw.unref();
    return unref.call(this);
  };
  return tls;
}
