/** ClientCloseReason says who or what ended a client connection, for `-v` and the inspector. */
export type ClientCloseReason =
  /** The server sent FIN (it closed, e.g. keep-alive timeout or `Connection: close`). */
  | 'server-fin'
  /** The server reset the connection, or another socket error happened. */
  | 'server-reset'
  /** We closed it: the response said `Connection: close`, HTTP/1.0, or the exchange needed it. */
  | 'client-close'
  /** The pool's idle timeout expired. */
  | 'idle-timeout'
  /** Agent.close() or the caller destroyed it. */
  | 'agent-close'
  /** A timeout expired mid-exchange. */
  | 'timeout'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** The server sent bytes that are not HTTP. */
  | 'protocol-error'
  /** The response body was abandoned before its end, so the connection cannot be re-used. */
  | 'body-abandoned'
  /** Connecting or the TLS handshake failed. */
  | 'connect-failed';

/** ClientConnectionInfo describes one client connection; `id` is unique per Agent. */
export interface ClientConnectionInfo {
  readonly id: number;
  /** `http://host:port` or `https://host:port` (with TLS settings folded into the pool key separately). */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Negotiated TLS version (`TLSv1.3`), undefined on plain TCP. */
  readonly tlsProtocol: string | undefined;
}

/**
 * ClientObserver is the client's counterpart of the server's ConnectionObserver: the seam `-v` and
 * the inspector use to see the wire. All methods are optional. `time` is performance.now() ms;
 * `bytes` are the exact Buffers written or read (do not mutate them).
 */
export interface ClientObserver {
  /** A connection attempt starts (before DNS). `id` is the id the connection will have. */
  connecting?(target: { id: number; host: string; port: number; secure: boolean }, time: number): void;
  open?(conn: ClientConnectionInfo, time: number): void;
  /** TLS handshake finished. */
  secure?(conn: ClientConnectionInfo, time: number, protocol: string | null, cipher: string | undefined): void;
  keylog?(conn: ClientConnectionInfo, line: Buffer): void;
  /**
   * https only: the encrypted bytes as they cross TCP (handshake included), for packet captures;
   * they come before `open`, told by the connection's id. With this method present, https
   * connections run TLS over a JS pass-through stream (slower; see tls-tap.ts): attach it only when needed.
   */
  tlsBytes?(target: { readonly id: number }, from: 'client' | 'server', bytes: Buffer, time: number): void;
  /** A pooled connection is taken for a new request. */
  reuse?(conn: ClientConnectionInfo, time: number): void;
  bytesOut?(conn: ClientConnectionInfo, bytes: Buffer, time: number): void;
  bytesIn?(conn: ClientConnectionInfo, bytes: Buffer, time: number): void;
  close?(conn: ClientConnectionInfo, reason: ClientCloseReason, time: number): void;
}

/** TlsOptions configure https: requests. Verification is on unless `rejectUnauthorized` is false. */
export interface TlsOptions {
  /** Extra trusted CA certificates (PEM), replacing node's default bundle as node:tls does. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Verify the peer certificate and host name (default true). false is curl's `-k`. */
  rejectUnauthorized?: boolean;
  /** SNI host name; defaults to the URL host unless it is an IP literal. */
  servername?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Receives NSS key log lines (SSLKEYLOGFILE format) from the tls 'keylog' event. */
  onKeylog?: (line: Buffer) => void;
}
