import type { PreparedBody } from './body.js';
import { RedirectError } from './errors.js';

/** RedirectStatus is a status this client follows (RFC 9110 §15.4). 300 and 304 are not followed. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

export function isRedirect(status: number): status is RedirectStatus {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** NextRequest is the request to send after a redirect. */
export interface NextRequest {
  url: URL;
  method: string;
  headers: string[];
  body: PreparedBody;
}

/** Headers that describe the body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location', 'transfer-encoding', 'expect']);
/** Credentials that must not leak to another origin (curl and browsers drop them too). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * nextRequest computes the follow-up of a redirect response, as browsers and curl do:
 * - 303 → GET without body (except HEAD stays HEAD);
 * - 301/302 with POST → GET without body (RFC 9110 §15.4.2/§15.4.3 allow it; every browser does it);
 * - 307/308 keep method and body; a streamed body cannot be replayed → RedirectError.
 * Authorization, Cookie and Proxy-Authorization are dropped when the origin changes; Host is
 * recomputed. The new URL is `location` resolved against `current` (RFC 9110 §10.2.2), fragment dropped.
 * Throws RedirectError for an unparsable Location or a scheme other than http/https.
 */
export function nextRequest(status: RedirectStatus, location: string, current: URL, method: string, headers: readonly string[], body: PreparedBody): NextRequest {
  let url: URL;
  try {
    url = new URL(location, current);
  } catch (error) {
    throw new RedirectError(`invalid Location: ${JSON.stringify(location)}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RedirectError(`refusing to follow a redirect to ${url.protocol} URL`);
  url.hash = '';
  let nextMethod = method;
  let nextBody = body;
  let dropBody = false;
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    nextMethod = status === 303 && method === 'HEAD' ? 'HEAD' : 'GET';
    dropBody = true;
    nextBody = { kind: 'none' };
  } else if (body.kind === 'stream') {
    throw new RedirectError(`cannot repeat a streamed request body for a ${status} redirect`);
  }
  const crossOrigin = url.origin !== current.origin;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i]!.toLowerCase();
    if (lower === 'host') continue;
    if (dropBody && BODY_HEADERS.has(lower)) continue;
    if (crossOrigin && CREDENTIAL_HEADERS.has(lower)) continue;
    out.push(headers[i]!, headers[i + 1]!);
  }
  return { url, method: nextMethod, headers: out, body: nextBody };
}
