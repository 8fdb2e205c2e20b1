/**
 * WireErrorCode is the closed set of reasons the codec rejects bytes. Each code maps to exactly one
 * HTTP status in server/error-status.ts; clients wrap them as `cause`.
 */
export const WireErrorCode = {
  /** Request-line or status-line does not match RFC 9112 §3 / §4. */
  BAD_START_LINE: 'BAD_START_LINE',
  /** Method is not a token (RFC 9110 §9.1). */
  BAD_METHOD: 'BAD_METHOD',
  /** Request-target has a control character, a space, or a form that the method does not allow. */
  BAD_TARGET: 'BAD_TARGET',
  /** HTTP-version is malformed (not `HTTP/d.d`). */
  BAD_VERSION: 'BAD_VERSION',
  /** Well-formed version other than HTTP/1.0 or HTTP/1.1. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** Field name is not a token, is empty, or has whitespace before the colon (RFC 9112 §5.1). */
  BAD_HEADER_NAME: 'BAD_HEADER_NAME',
  /** Field value holds a control character, NUL or bare CR (RFC 9110 §5.5). */
  BAD_HEADER_VALUE: 'BAD_HEADER_VALUE',
  /** Line folding (obs-fold) is obsolete and rejected in requests (RFC 9112 §5.2). */
  OBS_FOLD: 'OBS_FOLD',
  /** A CR not followed by LF. */
  BARE_CR: 'BARE_CR',
  /** An LF without CR where this parser does not accept one (see BARE_LF policy in the parser). */
  BARE_LF: 'BARE_LF',
  /** HTTP/1.1 request without Host, or with more than one (RFC 9112 §3.2). */
  MISSING_HOST: 'MISSING_HOST',
  DUPLICATE_HOST: 'DUPLICATE_HOST',
  /** Content-Length that is not 1*DIGIT, or several that differ (RFC 9112 §6.3 item 5). */
  BAD_CONTENT_LENGTH: 'BAD_CONTENT_LENGTH',
  /** Both Transfer-Encoding and Content-Length: a smuggling shape, rejected (RFC 9112 §6.3 item 3). */
  TE_AND_CL: 'TE_AND_CL',
  /** Transfer-Encoding whose final coding is not chunked, or chunked applied twice (RFC 9112 §6.3 item 4). */
  BAD_TRANSFER_ENCODING: 'BAD_TRANSFER_ENCODING',
  /** A coding we do not implement (gzip etc. as transfer coding) -> 501. */
  UNSUPPORTED_TRANSFER_CODING: 'UNSUPPORTED_TRANSFER_CODING',
  /** Chunk-size is not hex, overflows, or its line is malformed (RFC 9112 §7.1). */
  BAD_CHUNK_SIZE: 'BAD_CHUNK_SIZE',
  /** Chunk extension with invalid syntax. */
  BAD_CHUNK_EXTENSION: 'BAD_CHUNK_EXTENSION',
  /** Chunk data not followed by CRLF. */
  BAD_CHUNK_DATA: 'BAD_CHUNK_DATA',
  /** Request-line longer than limits.maxStartLine -> 414. */
  START_LINE_TOO_LONG: 'START_LINE_TOO_LONG',
  /** Header section larger than limits.maxHeadBytes -> 431. */
  HEAD_TOO_LARGE: 'HEAD_TOO_LARGE',
  /** More header fields than limits.maxHeaderCount -> 431. */
  TOO_MANY_HEADERS: 'TOO_MANY_HEADERS',
  /** Body larger than limits.maxBodyBytes -> 413. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** Bytes ended (EOF) in the middle of a message. */
  INCOMPLETE_MESSAGE: 'INCOMPLETE_MESSAGE',
  /** Status code is not three digits (responses). */
  BAD_STATUS: 'BAD_STATUS',
} as const;

export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/**
 * WireError is the only error the codec throws. `offset` counts bytes from the start of the
 * connection's stream fed to that parser (not of the current chunk), so a test can assert where
 * parsing stopped regardless of how the input was split.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code: WireErrorCode;
  readonly offset: number;

  constructor(code: WireErrorCode, offset: number, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.code = code;
    this.offset = offset;
  }
}
