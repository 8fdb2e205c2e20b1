import type { Readable } from 'node:stream';
import type { HeaderList, Limits, RequestHead } from '../wire/index.js';

/** HttpVersion as answered on the wire. */
export type HttpVersion = '1.0' | '1.1';

/**
 * Request is what a Handler receives: the parsed head (strings decoded lazily) plus the body as a
 * stream with backpressure. Objects are valid until the response ends.
 */
export interface Request {
  readonly method: string;
  /** Request-target exactly as sent (`/a%20b?x=1`, `*`, `http://host/p`, `host:443`). */
  readonly target: string;
  /** Path part of the target (before `?`), still percent-encoded. For absolute-form, the path of the URL. */
  readonly path: string;
  /** Query string after `?`, without the `?`; empty when none. */
  readonly query: string;
  readonly httpVersion: HttpVersion;
  readonly headers: HeaderList;
  readonly head: RequestHead;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** True on a TLS connection. */
  readonly secure: boolean;
  /**
   * The client's address: remoteAddress, or with `trustProxy` the first untrusted hop of the
   * forwarding headers sent by a trusted proxy (see ServerOptions.trustProxy).
   */
  readonly clientAddress: string;
  /** 'https' on TLS, or what a trusted proxy says the client used; 'http' otherwise. */
  readonly scheme: 'http' | 'https';
  /** The Host the client asked for: the Host field, or what a trusted proxy says it was. */
  readonly host: string | undefined;
  /** Connection id, unique per server, shared by requests on one persistent connection. */
  readonly connectionId: number;
  /** 1 for the first request on its connection, 2 for the next… */
  readonly sequence: number;
  /** Trailer fields of a chunked body, available once the body has been read (undefined if none). */
  readonly trailers: HeaderList | undefined;
  /** True when the request has a body (Content-Length > 0 or chunked). */
  readonly hasBody: boolean;
  /**
   * The body as a node Readable with backpressure (the socket pauses while it is not read).
   * Created on first access. Errors with HttpError 413 past the body limit.
   */
  readonly body: Readable;
  /** Reads the whole body (at most `limit` bytes, default the server's maxBodyBytes) -> 413 past it. */
  bytes(limit?: number): Promise<Buffer>;
  text(limit?: number): Promise<string>;
  json<T = unknown>(limit?: number): Promise<T>;
}

/** Header values a handler may set. Arrays produce one field line per element (e.g. Set-Cookie). */
export type HeaderValue = string | number | readonly string[];

/**
 * Response is how a Handler answers. Set status and headers, then either `end(body)` (Content-Length
 * is computed) or stream with `write()` (chunked on HTTP/1.1, close-delimited on 1.0). The engine adds
 * Date and Server unless set, and writes responses to pipelined requests in request order.
 */
export interface Response {
  statusCode: number;
  /** Reason phrase; defaults to the standard one for statusCode. */
  statusMessage: string | undefined;
  readonly headersSent: boolean;
  /** True once end() was called. */
  readonly finished: boolean;
  readonly request: Request;
  status(code: number, reason?: string): this;
  /** Replaces the field (case-insensitive). Throws HttpError 500 on CR/LF/NUL in name or value. */
  setHeader(name: string, value: HeaderValue): this;
  /** Adds another field line with this name (keeps existing ones). */
  appendHeader(name: string, value: HeaderValue): this;
  getHeader(name: string): string | undefined;
  hasHeader(name: string): boolean;
  removeHeader(name: string): this;
  /** Current header fields as a flat [name, value, …] list, in the order set. */
  headerList(): readonly string[];
  /** Sends the head now (status and headers are frozen after this). */
  writeHead(status?: number, headers?: Record<string, HeaderValue>): this;
  /**
   * Writes part of the body; the head is sent first if needed. Returns false when the socket's buffer is
   * full: wait for `drain()` before writing more.
   */
  write(chunk: string | Uint8Array): boolean;
  /** Resolves when the connection can take more bytes (immediately when it can now). */
  drain(): Promise<void>;
  /** Finishes the response, optionally with a last chunk; `trailers` only for chunked responses. */
  end(chunk?: string | Uint8Array, trailers?: readonly string[]): void;
  /** Streams a source with backpressure and ends the response. Rejects if the client goes away. */
  send(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | Readable): Promise<void>;
  /** Ask the engine to close the connection after this response (sends Connection: close). */
  closeAfter(): this;
  /**
   * Answer as an HTTP/1.0 server would: an `HTTP/1.0` status line and no chunked coding (a body of
   * unknown length ends with the connection). The engine otherwise answers HTTP/1.1, its highest
   * version, to 1.0 and 1.1 clients alike (RFC 9110 §2.5). Before the head is sent only.
   */
  answerAsHttp10(): this;
}

/**
 * Handler answers one request. It may finish synchronously (fast path: no promise hop) or return a
 * promise. A throw or rejection before the head was sent becomes a 500 and the connection stays usable;
 * after the head was sent the connection is closed so the client sees a truncated message.
 */
export type Handler = (req: Request, res: Response) => void | Promise<unknown>;

export interface ServerOptions {
  limits?: Partial<Limits>;
  /** Idle keep-alive timeout between requests, ms (default 5000). */
  keepAliveTimeout?: number;
  /** Time allowed to receive a whole request head, ms (default 10000): slowloris defence -> 408. */
  headersTimeout?: number;
  /** Longest gap between body bytes, ms (default 30000) -> 408. */
  bodyTimeout?: number;
  /** Requests served on one connection before it is closed (default 1000). */
  maxRequestsPerConnection?: number;
  /** Value of the Server header; '' to omit (default 'wirehttp'). */
  serverName?: string;
  /** TLS: when key and cert are given the server speaks HTTPS (node:tls). */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; minVersion?: 'TLSv1.2' | 'TLSv1.3' };
  /** Accept a bare LF in request heads (default false). */
  allowBareLf?: boolean;
  /**
   * Peers whose X-Forwarded-For/-Proto/-Host and RFC 7239 Forwarded headers are believed: IPv4/IPv6
   * addresses, CIDR ranges and 'loopback' (default none: the headers are ignored). Sets
   * Request.clientAddress, scheme and host. Throws RangeError on an entry that is none of these.
   */
  trustProxy?: readonly string[];
}

/** Who or what ended a connection, for the inspector and logs. */
export type CloseReason =
  | 'client-fin'
  | 'client-reset'
  | 'server-close'
  | 'idle-timeout'
  | 'headers-timeout'
  | 'body-timeout'
  | 'send-timeout'
  | 'protocol-error'
  | 'max-requests'
  | 'shutdown'
  | 'handler-error'
  | 'upgrade';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly secure: boolean;
}

/**
 * ConnectionObserver is the inspector's seam. Every method is optional; the engine checks for an
 * observer once per event site, so with none attached the hot path pays one property test.
 * `time` is `performance.now()`-based milliseconds; `bytes` are the exact Buffers read or written
 * (do not mutate them).
 */
export interface ConnectionObserver {
  open?(conn: ConnectionInfo, time: number): void;
  /** TLS only: the handshake finished; `keylog` lines arrive via the tls 'keylog' event separately. */
  secure?(conn: ConnectionInfo, time: number, protocol: string | null): void;
  keylog?(conn: ConnectionInfo, line: Buffer): void;
  /**
   * TLS only: the encrypted bytes as they cross TCP, handshake included, for packet captures. The
   * handshake comes before `open`, so bytes are told by the client's address and port (`peer`),
   * which `open`'s ConnectionInfo repeats. With this method present when a connection is accepted,
   * TLS runs over a JS pass-through stream for it (slower; see tls-tap.ts): attach it only when needed.
   */
  tlsBytes?(peer: { readonly remoteAddress: string; readonly remotePort: number }, from: 'client' | 'server', bytes: Buffer, time: number): void;
  bytesIn?(conn: ConnectionInfo, bytes: Buffer, time: number): void;
  bytesOut?(conn: ConnectionInfo, bytes: Buffer, time: number): void;
  requestHead?(conn: ConnectionInfo, req: Request, time: number): void;
  responseStart?(conn: ConnectionInfo, req: Request, res: Response, time: number): void;
  responseEnd?(conn: ConnectionInfo, req: Request, res: Response, time: number, bodyBytes: number): void;
  protocolError?(conn: ConnectionInfo, error: Error, status: number, time: number): void;
  close?(conn: ConnectionInfo, reason: CloseReason, time: number): void;
}
