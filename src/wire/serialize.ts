import { WireError, WireErrorCode } from './errors.js';
import { isToken, isValidHeaderName, isValidHeaderValue } from './token.js';

/** STATUS_REASONS holds the reason phrases of RFC 9110 §15 (and 418/429/431/451 from their RFCs). */
export const STATUS_REASONS: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content', 425: 'Too Early',
  426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 511: 'Network Authentication Required',
});

/**
 * serializeRequestHead returns the request line and header section, ending with the empty line, as a
 * latin1 string. Throws WireError (offset -1) for a method that is not a token, a target with spaces
 * or controls, or a field that would split the message (CR, LF, NUL in a name or value).
 */
export function serializeRequestHead(method: string, target: string, headers: readonly string[], versionMinor: 0 | 1 = 1): string {
  if (!isToken(method)) throw new WireError(WireErrorCode.BAD_METHOD, -1);
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw new WireError(WireErrorCode.BAD_TARGET, -1);
  }
  if (target === '') throw new WireError(WireErrorCode.BAD_TARGET, -1);
  return `${method} ${target} HTTP/1.${versionMinor}\r\n${fieldLines(headers)}\r\n`;
}

/** serializeResponseHead returns the status line and header section; reason defaults to the standard one. */
export function serializeResponseHead(status: number, reason: string | undefined, headers: readonly string[], versionMinor: 0 | 1 = 1): string {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new WireError(WireErrorCode.BAD_STATUS, -1);
  const phrase = reason ?? STATUS_REASONS[status] ?? '';
  if (!isValidHeaderValue(phrase)) throw new WireError(WireErrorCode.BAD_HEADER_VALUE, -1);
  return `HTTP/1.${versionMinor} ${status} ${phrase}\r\n${fieldLines(headers)}\r\n`;
}

/** fieldLines renders a flat [name, value, …] list as `name: value\r\n` lines, validating each. */
export function fieldLines(headers: readonly string[]): string {
  let out = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1] ?? '';
    if (!isValidHeaderName(name)) throw new WireError(WireErrorCode.BAD_HEADER_NAME, -1);
    if (!isValidHeaderValue(value)) throw new WireError(WireErrorCode.BAD_HEADER_VALUE, -1);
    out += `${name}: ${value}\r\n`;
  }
  return out;
}
