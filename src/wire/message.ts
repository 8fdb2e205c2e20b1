import type { HeaderList } from './headers.js';

/**
 * BodyFraming says how a message's body is delimited (RFC 9112 §6.3), decided once from the head.
 * - none: no body (GET without framing headers, 1xx/204/304, responses to HEAD).
 * - length: exactly `length` bytes follow (Content-Length).
 * - chunked: chunked transfer coding, possibly with trailers.
 * - close: response body runs until the connection closes (HTTP/1.0 style; responses only).
 */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** TargetForm names the request-target forms of RFC 9112 §3.2. */
export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

/** RequestHead is a parsed request line plus header section. */
export interface RequestHead {
  /** Method token exactly as sent (case-sensitive, RFC 9110 §9.1). */
  readonly method: string;
  /** Request-target exactly as sent. */
  readonly target: string;
  readonly targetForm: TargetForm;
  /** Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly versionMinor: 0 | 1;
  readonly headers: HeaderList;
  readonly framing: BodyFraming;
  /**
   * keepAlive is the client's wish after this exchange: HTTP/1.1 unless `Connection: close`;
   * HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 §9.3).
   */
  readonly keepAlive: boolean;
  /** The request carried `Expect: 100-continue` (case-insensitive) on HTTP/1.1. */
  readonly expectContinue: boolean;
  /** The request asks for a protocol switch: CONNECT, or Upgrade listed in Connection. */
  readonly upgrade: boolean;
  /** Bytes of the start line and header section including the final CRLF. */
  readonly headBytes: number;
  /** Stream offset (from the parser's first byte) where this message's head starts. */
  readonly offset: number;
}

/** ResponseHead is a parsed status line plus header section. */
export interface ResponseHead {
  readonly status: number;
  /** Reason phrase as sent (may be empty). */
  readonly reason: string;
  readonly versionMinor: 0 | 1;
  readonly headers: HeaderList;
  readonly framing: BodyFraming;
  /** The server will keep the connection open after this response. */
  readonly keepAlive: boolean;
  readonly headBytes: number;
  readonly offset: number;
}

/**
 * MessageSink receives parser events. Callbacks run synchronously inside `feed()`.
 * Body chunks are `subarray` views over the Buffer passed to `feed()`: no bytes are copied, and a
 * view stays valid for as long as the caller leaves that Buffer unmodified (node never reuses the
 * Buffers it hands to 'data' listeners, so socket chunks can be kept).
 */
export interface MessageSink<Head> {
  onHead(head: Head): void;
  onBody(chunk: Buffer): void;
  /** Trailer fields of a chunked body (only called when at least one trailer field was sent). */
  onTrailers(trailers: HeaderList): void;
  /** The message is complete. For a head with framing 'none' this follows onHead directly. */
  onEnd(): void;
}
