import { STATUS_REASONS, WireError, type WireErrorCode } from '../wire/index.js';
import { HttpError } from './http-error.js';

/** The one table from codec failures to the status a peer gets (shared/STYLE.md §4). */
const WIRE_STATUS: Readonly<Record<WireErrorCode, number>> = {
  BAD_START_LINE: 400,
  BAD_METHOD: 400,
  BAD_TARGET: 400,
  BAD_VERSION: 400,
  UNSUPPORTED_VERSION: 505,
  BAD_HEADER_NAME: 400,
  BAD_HEADER_VALUE: 400,
  OBS_FOLD: 400,
  BARE_CR: 400,
  BARE_LF: 400,
  MISSING_HOST: 400,
  DUPLICATE_HOST: 400,
  BAD_CONTENT_LENGTH: 400,
  TE_AND_CL: 400,
  BAD_TRANSFER_ENCODING: 400,
  UNSUPPORTED_TRANSFER_CODING: 501,
  BAD_CHUNK_SIZE: 400,
  BAD_CHUNK_EXTENSION: 400,
  BAD_CHUNK_DATA: 400,
  START_LINE_TOO_LONG: 414,
  HEAD_TOO_LARGE: 431,
  TOO_MANY_HEADERS: 431,
  BODY_TOO_LARGE: 413,
  INCOMPLETE_MESSAGE: 400,
  BAD_STATUS: 400,
};

/** statusForWireError returns the HTTP status a peer gets for a codec failure. */
export function statusForWireError(error: WireError): number {
  return WIRE_STATUS[error.code] ?? 400;
}

/** toHttpError turns a codec failure into the HttpError a handler's body read rejects with. */
export function wireToHttpError(error: WireError): HttpError {
  return new HttpError(statusForWireError(error), `${STATUS_REASONS[statusForWireError(error)]} (${error.code})`, { cause: error });
}

/**
 * errorBody is the short plain-text body of an engine-made error response: the reason phrase and,
 * for protocol errors, the machine-readable code, so a student sending bytes by hand sees which rule
 * was broken. It never contains request data, paths or stacks.
 */
export function errorBody(status: number, code?: string): string {
  const reason = STATUS_REASONS[status] ?? 'Error';
  return code === undefined ? `${status} ${reason}\n` : `${status} ${reason} (${code})\n`;
}

/** protocolErrorResponse is a complete response that ends the connection. */
export function protocolErrorResponse(status: number, date: string, serverName: string, code?: string): string {
  const body = errorBody(status, code);
  const server = serverName === '' ? '' : `Server: ${serverName}\r\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_REASONS[status] ?? 'Error'}\r\n` +
    `Date: ${date}\r\n${server}Content-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
