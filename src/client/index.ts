// The client's public surface: request(), the Agent pool, responses, cookies and typed errors.
export { request, requestBytes, flattenHeaders, type RequestOptions, type HeadersInit } from './request.js';
export { ClientResponse, type ResponseConnection } from './response.js';
export { Agent, defaultAgent, type AgentOptions } from './pool.js';
export type { Timeouts, SentRequest } from './exchange.js';
export type { RequestBody } from './body.js';
export type { Timings } from './timings.js';
export { seconds } from './timings.js';
export type { ClientObserver, ClientConnectionInfo, ClientCloseReason, TlsOptions } from './types.js';
export {
  ClientError,
  ClientErrorCode,
  InvalidRequestError,
  ResolveError,
  ConnectError,
  TimeoutError,
  TlsError,
  ParseError,
  ResetError,
  ConnectionClosedError,
  AbortedError,
  RedirectError,
  DecodeError,
  BodySourceError,
  type TimeoutPhase,
} from './errors.js';
export { CookieJar, type StoredCookie } from './cookie-jar.js';
export { parseSetCookie, parseCookieDate, type SetCookie } from './set-cookie.js';
export { parseNetscapeCookies, formatNetscapeCookies, loadNetscapeCookies } from './netscape-cookies.js';
export { codingsToUndo, ACCEPT_ENCODING, type ContentCoding } from './decode.js';
export { isRedirect, nextRequest, type RedirectStatus, type NextRequest } from './redirect.js';
