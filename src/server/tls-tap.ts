import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext, type Server as TlsServer } from 'node:tls';
import type { ConnectionObserver } from './types.js';

/** How long a tapped connection may take to finish its TLS handshake. */
const HANDSHAKE_MS = 10_000;

/**
 * tapTlsWire lets an observer with `tlsBytes` see the encrypted bytes of each TLS connection, for
 * packet captures. Node's TLS server reads the TCP handle natively, so those bytes never reach
 * JavaScript; to see them, a tapped connection runs TLS over a pass-through stream instead (a JS
 * stream: slower). The choice is made per accepted socket: with no such observer at accept time the
 * built-in listener handles the socket exactly as before, so the usual path pays one property test.
 *
 * The tapped TLSSocket cannot ask the kernel for its addresses through a JS stream, so they are
 * copied from the TCP socket; everything after the handshake is the engine's usual path. It uses the
 * server's own SecureContext (node keeps it as `_sharedCreds`, also after setSecureContext), so a
 * tapped handshake negotiates exactly as an untapped one; without it, nothing is tapped.
 */
export function tapTlsWire(server: TlsServer, observer: () => ConnectionObserver | undefined): void {
  const builtIn = server.listeners('connection')[0] as ((this: TlsServer, raw: Socket) => void) | undefined;
  if (builtIn === undefined) return;
  server.removeListener('connection', builtIn);
  server.on('connection', function onConnection(this: TlsServer, raw: Socket) {
    const o = observer();
    const context = (this as unknown as { _sharedCreds?: SecureContext })._sharedCreds;
    if (o?.tlsBytes === undefined || context === undefined) {
      builtIn.call(this, raw);
      return;
    }
    const report = o.tlsBytes.bind(o);
    const peer = { remoteAddress: raw.remoteAddress ?? '', remotePort: raw.remotePort ?? 0 };
    const tap = new Duplex({
      allowHalfOpen: true,
      read: () => void raw.resume(),
      write: (chunk: Buffer, _enc, done) => {
        report(peer, 'server', chunk, performance.now());
        raw.write(chunk, done);
      },
      final: (done) => raw.end(done),
      destroy: (error, done) => {
        raw.destroy(error ?? undefined);
        done(error);
      },
    });
    raw.on('data', (chunk: Buffer) => {
      report(peer, 'client', chunk, performance.now());
      if (!tap.push(chunk)) raw.pause();
    });
    raw.on('end', () => tap.push(null));
    raw.on('error', (error) => tap.destroy(error));
    raw.on('close', () => tap.destroy());
    const socket = new TLSSocket(tap, { isServer: true, server: this, secureContext: context, requestCert: false, rejectUnauthorized: false });
    for (const [name, value] of [
      ['remoteAddress', raw.remoteAddress], ['remotePort', raw.remotePort], ['remoteFamily', raw.remoteFamily],
      ['localAddress', raw.localAddress], ['localPort', raw.localPort],
    ] as const) {
      Object.defineProperty(socket, name, { value, enumerable: true });
    }
    // A TLSSocket made by hand reports its secrets to itself only: pass them on as node's own path does.
    socket.on('keylog', (line: Buffer) => this.emit('keylog', line, socket));
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
    timer.unref();
    socket.once('secure', () => {
      clearTimeout(timer);
      this.emit('secureConnection', socket);
    });
    socket.on('error', () => {
      // A failed handshake is the client's problem (as on the untapped path); after it, the engine's own
      // error listener is attached too.
      clearTimeout(timer);
      socket.destroy();
    });
  });
}
