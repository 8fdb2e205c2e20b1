import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { AbortedError, ClientError, TimeoutError, fromSocketError } from './errors.js';
import { connectTlsTapped } from './tls-tap.js';
import type { ClientConnectionInfo, ClientObserver, TlsOptions } from './types.js';

/** ConnectTarget is where and how to open one client connection. */
export interface ConnectTarget {
  id: number;
  host: string;
  port: number;
  secure: boolean;
  origin: string;
  tls?: TlsOptions | undefined;
  connectTimeout?: number | undefined;
  observer?: ClientObserver | undefined;
  signal?: AbortSignal | undefined;
}

/** ConnectPhases are absolute performance.now() times of a fresh connection's setup. */
export interface ConnectPhases {
  lookup?: number;
  connect?: number;
  tls?: number;
}

/**
 * openSocket connects (TCP, then TLS for https: SNI from `tls.servername` or the URL host unless it
 * is an IP literal, key-log lines to `tls.onKeylog` and the observer) and resolves with the socket
 * once it can carry a request, passing it to `adopt` synchronously (no tick in which a socket error
 * could go unheard). Rejects with ConnectError/TlsError/TimeoutError/AbortedError.
 */
export function openSocket<T>(target: ConnectTarget, adopt: (socket: Socket, phases: ConnectPhases) => T): Promise<T> {
  const phases: ConnectPhases = {};
  const observer = target.observer;
  observer?.connecting?.({ id: target.id, host: target.host, port: target.port, secure: target.secure }, performance.now());
  const host = stripBrackets(target.host);
  const tlsOpts = target.tls ?? {};
  const tlsConnectOptions: ConnectionOptions = {
    host,
    port: target.port,
    servername: tlsOpts.servername ?? (isIP(host) === 0 ? host : undefined),
    ca: tlsOpts.ca,
    cert: tlsOpts.cert,
    key: tlsOpts.key,
    minVersion: tlsOpts.minVersion,
    rejectUnauthorized: tlsOpts.rejectUnauthorized !== false,
    ALPNProtocols: ['http/1.1'],
  };
  const tap = observer?.tlsBytes;
  const socket: Socket = !target.secure
    ? netConnect({ host, port: target.port, noDelay: true })
    : tap === undefined
      ? tlsConnect(tlsConnectOptions)
      : connectTlsTapped(host, target.port, tlsConnectOptions, (from, bytes, time) => tap.call(observer, { id: target.id }, from, bytes, time));
  return new Promise<T>((resolve, reject) => {
    let stage: 'connect' | 'handshake' = 'connect';
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      target.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
    };
    const failWith = (error: ClientError): void => {
      cleanup();
      socket.on('error', () => {});
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error): void => failWith(fromSocketError(error, stage, `${target.host}:${target.port}`));
    const onAbort = (): void => failWith(abortError(target.signal));
    if (target.signal?.aborted === true) return onAbort();
    target.signal?.addEventListener('abort', onAbort, { once: true });
    if (target.connectTimeout !== undefined && target.connectTimeout > 0) {
      const ms = target.connectTimeout;
      timer = setTimeout(() => failWith(new TimeoutError('connect', ms)), ms);
    }
    socket.once('error', onError);
    socket.once('lookup', () => (phases.lookup = performance.now()));
    const ready = (): void => {
      cleanup();
      resolve(adopt(socket, phases));
    };
    socket.once('connect', () => {
      phases.connect = performance.now();
      if (phases.lookup === undefined) phases.lookup = phases.connect;
      stage = 'handshake';
      if (!target.secure) {
        observer?.open?.(describe(target, socket), phases.connect);
        ready();
      }
    });
    if (target.secure) {
      const tls = socket as TLSSocket;
      tls.on('keylog', (line: Buffer) => {
        tlsOpts.onKeylog?.(line);
        observer?.keylog?.(describe(target, socket), line);
      });
      tls.once('secureConnect', () => {
        phases.tls = performance.now();
        if (phases.connect === undefined) phases.connect = phases.tls;
        const info = describe(target, socket);
        observer?.open?.(info, phases.connect);
        observer?.secure?.(info, phases.tls, tls.getProtocol(), tls.getCipher()?.name);
        ready();
      });
    }
  });
}

/** describe snapshots a connection's addresses for the observer and responses. */
export function describe(target: ConnectTarget, socket: Socket): ClientConnectionInfo {
  const tls = target.secure ? (socket as TLSSocket) : undefined;
  return {
    id: target.id,
    origin: target.origin,
    host: target.host,
    port: target.port,
    secure: target.secure,
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
    tlsProtocol: tls?.getProtocol?.() ?? undefined,
  };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** abortError turns an AbortSignal's reason into an AbortedError (a TimeoutError reason passes through). */
export function abortError(signal: AbortSignal | undefined): ClientError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ClientError) return reason;
  return new AbortedError({ cause: reason });
}
