import { HeaderList } from '../wire/index.js';
import { prepareBody, type RequestBody } from './body.js';
import type { CookieJar } from './cookie-jar.js';
import { ClientError, InvalidRequestError, RedirectError, TimeoutError } from './errors.js';
import { ACCEPT_ENCODING } from './decode.js';
import { buildHead, hasHeader, sendOnce, type SentRequest, type Timeouts } from './exchange.js';
import { defaultAgent, type Agent } from './pool.js';
import { isRedirect, nextRequest } from './redirect.js';
import type { ClientResponse } from './response.js';
import type { TlsOptions } from './types.js';

/** HeadersInit is any way to give request headers; order and case are kept as given. */
export type HeadersInit = Record<string, string | number | readonly string[]> | ReadonlyArray<readonly [string, string]> | HeaderList;

/** RequestOptions configure request(). Everything is optional; the defaults are a plain GET. */
export interface RequestOptions {
  /** Method token, sent as given (default GET, or POST when a body is given). */
  method?: string;
  headers?: HeadersInit;
  body?: RequestBody | null;
  /** Content-Length to declare for a streamed body (otherwise it is sent chunked). */
  bodyLength?: number;
  agent?: Agent;
  /** 'HTTP/1.0' requests close the connection after the response unless the server keeps it. */
  httpVersion?: '1.0' | '1.1';
  tls?: TlsOptions;
  timeouts?: Timeouts;
  signal?: AbortSignal;
  /** Follow 301/302/303/307/308 (default false). */
  followRedirects?: boolean;
  /** Most redirects to follow before EREDIRECT (default 20). */
  maxRedirects?: number;
  /** Send Accept-Encoding and decode gzip/br/deflate bodies (default false). */
  decompress?: boolean;
  /** Send matching cookies and store Set-Cookie from every response (redirect hops included). */
  cookieJar?: CookieJar;
  /** Bodies of at least this many bytes (or of unknown length) are sent after 100 Continue (default 1 MiB). */
  expectContinueAt?: number;
  /** Wait this long for 100 Continue before sending the body anyway, ms (default 1000). */
  continueTimeout?: number;
  /** Called after each request head is written (each redirect hop too). */
  onRequest?: (sent: SentRequest) => void;
  /** Called with each redirect response before it is followed (its body is discarded afterwards). */
  onRedirect?: (response: ClientResponse) => void;
}

/**
 * request sends an HTTP/1.1 request and resolves with the response once its head has arrived; the
 * body streams from `response.body`. Rejects with a ClientError subclass (see errors.ts for codes).
 * The total timeout (timeouts.total) covers connecting, redirects and reading the body to its end.
 */
export async function request(url: string | URL, options: RequestOptions = {}): Promise<ClientResponse> {
  let current: URL;
  try {
    current = new URL(url);
  } catch (error) {
    throw new InvalidRequestError(`invalid URL: ${String(url)}`, { cause: error });
  }
  if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new InvalidRequestError(`unsupported protocol: ${current.protocol}`);
  const agent = options.agent ?? defaultAgent;
  const timeouts = options.timeouts ?? {};
  const total = timeouts.total;
  let controller: AbortController | undefined;
  let totalTimer: NodeJS.Timeout | undefined;
  let signal = options.signal;
  if (total !== undefined && total > 0) {
    controller = new AbortController();
    totalTimer = setTimeout(() => controller!.abort(new TimeoutError('total', total)), total);
    signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  }
  const stopTotal = (): void => {
    if (totalTimer !== undefined) clearTimeout(totalTimer);
  };
  let method = options.method ?? (options.body === undefined || options.body === null ? 'GET' : 'POST');
  let headers = flattenHeaders(options.headers);
  if (options.decompress === true && !hasHeader(headers, 'accept-encoding')) headers.push('Accept-Encoding', ACCEPT_ENCODING);
  let body = prepareBody(options.body, options.bodyLength);
  const maxRedirects = options.maxRedirects ?? 20;
  const history: string[] = [];
  try {
    for (;;) {
      const hopHeaders = headers.slice();
      const jarCookie = options.cookieJar?.cookieHeader(current);
      if (jarCookie !== undefined) hopHeaders.push('Cookie', jarCookie);
      const response = await sendOnce({
        url: current,
        method,
        headers: hopHeaders,
        body,
        agent,
        versionMinor: options.httpVersion === '1.0' ? 0 : 1,
        tls: options.tls,
        timeouts,
        signal,
        expectContinueAt: options.expectContinueAt ?? 1024 * 1024,
        continueTimeout: options.continueTimeout ?? 1000,
        decompress: options.decompress === true,
        onRequest: options.onRequest,
      });
      if (options.cookieJar !== undefined) for (const sc of response.headers.getAll('set-cookie')) options.cookieJar.setCookie(sc, current);
      response.redirects = history.slice();
      const location = response.headers.get('location');
      if (options.followRedirects !== true || !isRedirect(response.status) || location === undefined) {
        if (totalTimer !== undefined) {
          response.body.once('close', stopTotal);
          response.body.once('end', stopTotal);
          if (response.body.readableEnded || response.body.destroyed) stopTotal();
        }
        return response;
      }
      options.onRedirect?.(response);
      if (history.length >= maxRedirects) {
        await response.dump();
        throw new RedirectError(`maximum (${maxRedirects}) redirects followed`);
      }
      const next = nextRequest(response.status, location, current, method, headers, body);
      await response.dump();
      history.push(current.href);
      current = next.url;
      method = next.method;
      headers = next.headers;
      body = next.body;
    }
  } catch (error) {
    stopTotal();
    if (error instanceof ClientError) throw error;
    throw new InvalidRequestError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * requestBytes returns the exact bytes request() would write for `url` and `options` (head, then the
 * body when it is bytes or text): what `wirehttp request --dry-run` prints. Nothing is sent.
 */
export function requestBytes(url: string | URL, options: RequestOptions = {}): Buffer {
  const target = new URL(url);
  const headers = flattenHeaders(options.headers);
  if (options.decompress === true && !hasHeader(headers, 'accept-encoding')) headers.push('Accept-Encoding', ACCEPT_ENCODING);
  const jarCookie = options.cookieJar?.cookieHeader(target);
  if (jarCookie !== undefined) headers.push('Cookie', jarCookie);
  const body = prepareBody(options.body, options.bodyLength);
  const { head } = buildHead({
    url: target,
    method: options.method ?? (body.kind === 'none' ? 'GET' : 'POST'),
    headers,
    body,
    agent: options.agent ?? defaultAgent,
    versionMinor: options.httpVersion === '1.0' ? 0 : 1,
    timeouts: {},
    expectContinueAt: options.expectContinueAt ?? 1024 * 1024,
    continueTimeout: 0,
    decompress: false,
  });
  return body.kind === 'bytes' ? Buffer.concat([head, body.bytes]) : head;
}

/** flattenHeaders turns any HeadersInit into a flat [name, value, …] list, order kept. */
export function flattenHeaders(init: HeadersInit | undefined): string[] {
  if (init === undefined) return [];
  if (init instanceof HeaderList) return init.raw.slice();
  const out: string[] = [];
  if (Array.isArray(init)) {
    for (const [name, value] of init as ReadonlyArray<readonly [string, string]>) out.push(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(init as Record<string, string | number | readonly string[]>)) {
    if (Array.isArray(value)) for (const v of value as readonly string[]) out.push(name, v);
    else out.push(name, String(value));
  }
  return out;
}
