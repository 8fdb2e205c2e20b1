import { equalsIgnoreCase, WireError, serializeRequestHead, type HeaderList, type ResponseHead } from '../wire/index.js';
import { BodyStream, writeStreamBody, type PreparedBody } from './body.js';
import { abortError, type Connection, type Exchange } from './connection.js';
import { codingsToUndo, decodeBody } from './decode.js';
import { ConnectionClosedError, InvalidRequestError, TimeoutError, type ClientError } from './errors.js';
import type { Agent, Lease } from './pool.js';
import { ClientResponse } from './response.js';
import { TimingRecorder } from './timings.js';
import type { ClientConnectionInfo, TlsOptions } from './types.js';

/** Timeouts in milliseconds; 0 or undefined means none. */
export interface Timeouts {
  /** TCP connect plus TLS handshake. */
  connect?: number;
  /** From the request being written to the final response head. */
  head?: number;
  /** Longest gap between two body chunks while the body is being read. */
  body?: number;
  /** The whole call, redirects and body included (curl -m). */
  total?: number;
}

/** SentRequest describes a request just written, for `-v` and logging. */
export interface SentRequest {
  readonly url: URL;
  readonly method: string;
  /** The exact head bytes written. */
  readonly head: Buffer;
  readonly connection: ClientConnectionInfo;
  readonly reused: boolean;
}

/** Hop is one request on one connection: what request() sends for each URL in a redirect chain. */
export interface Hop {
  url: URL;
  method: string;
  /** Flat [name, value, …] list; Host, framing and Expect are added here when missing. */
  headers: string[];
  body: PreparedBody;
  agent: Agent;
  versionMinor: 0 | 1;
  tls?: TlsOptions | undefined;
  timeouts: Timeouts;
  signal?: AbortSignal | undefined;
  /** Send `Expect: 100-continue` for bodies of at least this many bytes (or of unknown length). */
  expectContinueAt: number;
  /** How long to wait for 100 Continue before sending the body anyway, ms (curl: 1000). */
  continueTimeout: number;
  decompress: boolean;
  onRequest?: ((sent: SentRequest) => void) | undefined;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/**
 * sendOnce sends one request and resolves when the final response head arrives. A re-used connection
 * that the server had already closed (ConnectionClosedError with `reused`) is retried once on a new
 * connection for idempotent methods with a replayable body (RFC 9112 §9.3.1); otherwise it throws.
 */
export async function sendOnce(hop: Hop): Promise<ClientResponse> {
  try {
    return await attempt(hop, false);
  } catch (error) {
    if (error instanceof ConnectionClosedError && error.reused && hop.body.kind !== 'stream' && IDEMPOTENT.has(hop.method)) return attempt(hop, true);
    throw error;
  }
}

/** buildHead returns the request head bytes (and whether Expect: 100-continue was added). */
export function buildHead(hop: Hop): { head: Buffer; expect: boolean; chunked: boolean } {
  const headers = hop.headers.slice();
  const has = (name: string): boolean => hasHeader(headers, name);
  if (!has('host')) headers.unshift('Host', hop.url.host);
  const body = hop.body;
  let chunked = false;
  let length: number | undefined;
  if (body.kind === 'bytes') length = body.bytes.length;
  else if (body.kind === 'stream') length = body.length;
  if (body.kind !== 'none' && !has('content-length') && !has('transfer-encoding')) {
    if (length !== undefined) headers.push('Content-Length', String(length));
    else if (hop.versionMinor === 1) {
      headers.push('Transfer-Encoding', 'chunked');
      chunked = true;
    } else throw new InvalidRequestError('a body of unknown length needs HTTP/1.1 (chunked) or a Content-Length');
  } else if (body.kind === 'none' && (hop.method === 'POST' || hop.method === 'PUT' || hop.method === 'PATCH') && !has('content-length')) {
    headers.push('Content-Length', '0');
  }
  if (body.kind === 'stream' && has('transfer-encoding')) chunked = true;
  let expect = false;
  if (body.kind !== 'none' && hop.versionMinor === 1 && !has('expect') && (length === undefined || length >= hop.expectContinueAt)) {
    headers.push('Expect', '100-continue');
    expect = true;
  }
  if (!hop.agent.keepAlive && hop.versionMinor === 1 && !has('connection')) headers.push('Connection', 'close');
  const target = `${hop.url.pathname || '/'}${hop.url.search}`;
  try {
    return { head: Buffer.from(serializeRequestHead(hop.method, target, headers, hop.versionMinor), 'latin1'), expect, chunked };
  } catch (error) {
    if (error instanceof WireError) throw new InvalidRequestError(`invalid request head: ${error.message}`, { cause: error });
    throw error;
  }
}

/** hasHeader reports whether a flat [name, value, …] list holds `name` (case-insensitive). */
export function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (equalsIgnoreCase(flat[i]!, name)) return true;
  return false;
}

async function attempt(hop: Hop, fresh: boolean): Promise<ClientResponse> {
  const recorder = new TimingRecorder();
  const { head, expect, chunked } = buildHead(hop);
  const replayable = hop.body.kind !== 'stream';
  const lease = await hop.agent.acquire({
    url: hop.url,
    tls: hop.tls,
    connectTimeout: hop.timeouts.connect,
    signal: hop.signal,
    pipelinable: replayable && !expect && IDEMPOTENT.has(hop.method),
    fresh,
  });
  if (lease.reused) recorder.reused();
  else recorder.connected(lease.conn.phases);
  return run(hop, lease, recorder, head, expect, chunked);
}

function run(hop: Hop, lease: Lease, recorder: TimingRecorder, head: Buffer, expect: boolean, chunked: boolean): Promise<ClientResponse> {
  const conn: Connection = lease.conn;
  const signal = hop.signal;
  return new Promise<ClientResponse>((resolve, reject) => {
    let response: ClientResponse | undefined;
    let body: BodyStream | undefined;
    let headTimer: NodeJS.Timeout | undefined;
    let bodyTimer: NodeJS.Timeout | undefined;
    let continueWaiter: (() => void) | undefined;
    let skipBody = false;
    let done = false;
    const informational: ResponseHead[] = [];
    const clearTimers = (): void => {
      if (headTimer !== undefined) clearTimeout(headTimer);
      if (bodyTimer !== undefined) clearTimeout(bodyTimer);
      headTimer = bodyTimer = undefined;
    };
    const finish = (): void => {
      done = true;
      clearTimers();
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: ClientError): void => {
      if (done) return;
      finish();
      continueWaiter?.();
      recorder.end();
      if (body === undefined) reject(error);
      else if (!body.destroyed) body.destroy(error);
    };
    const onAbort = (): void => {
      const error = abortError(signal);
      conn.destroy(error instanceof TimeoutError ? 'timeout' : 'aborted', error);
      fail(error);
    };
    const armBodyTimer = (): void => {
      const ms = hop.timeouts.body;
      if (ms === undefined || ms <= 0 || done) return;
      if (bodyTimer !== undefined) clearTimeout(bodyTimer);
      bodyTimer = setTimeout(() => conn.destroy('timeout', new TimeoutError('body', ms)), ms);
    };
    const exchange: Exchange = {
      method: hop.method,
      onFirstByte: () => recorder.firstByte(),
      onInformational: (h) => {
        informational.push(h);
        if (h.status === 100) continueWaiter?.();
      },
      onHead: (h) => {
        recorder.head();
        if (headTimer !== undefined) clearTimeout(headTimer);
        headTimer = undefined;
        if (continueWaiter !== undefined) {
          skipBody = true; // RFC 9110 §10.1.1: a final answer before 100 means do not send the body
          continueWaiter();
        }
        body = new BodyStream(
          () => {
            conn.resumeReading();
            armBodyTimer();
          },
          () => {
            if (!done) conn.destroy('body-abandoned');
          },
        );
        const codings = hop.decompress && hop.method !== 'HEAD' ? codingsToUndo(h.headers.get('content-encoding')) : [];
        response = new ClientResponse({
          url: hop.url.href,
          method: hop.method,
          head: h,
          informational,
          body: codings === undefined || codings.length === 0 ? body : decodeBody(body, codings),
          rawBody: body,
          timings: recorder.timings,
          connection: { id: conn.id, reused: lease.reused, info: conn.info },
          requestHead: head,
        });
        if (hop.body.kind === 'bytes' && !expect) response.requestBodyBytes = hop.body.bytes.length;
        armBodyTimer();
        resolve(response);
      },
      onBody: (chunk) => {
        armBodyTimer();
        const more = body!.deliver(chunk);
        if (!more && bodyTimer !== undefined) clearTimeout(bodyTimer);
        return more;
      },
      onTrailers: (t: HeaderList) => {
        if (response !== undefined) response.trailers = t;
      },
      onEnd: () => {
        finish();
        recorder.end();
        if (skipBody || conn.writing) conn.destroy('client-close');
        body!.complete();
      },
      onError: fail,
    };
    if (signal?.aborted === true) {
      conn.destroy('aborted');
      return fail(abortError(signal));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    conn.send(exchange);
    const armHead = (): void => {
      recorder.sent();
      const ms = hop.timeouts.head;
      if (ms !== undefined && ms > 0 && response === undefined && !done) headTimer = setTimeout(() => conn.destroy('timeout', new TimeoutError('head', ms)), ms);
    };
    hop.onRequest?.({ url: hop.url, method: hop.method, head, connection: conn.info, reused: lease.reused });
    const prepared = hop.body;
    if (prepared.kind === 'bytes' && !expect) {
      conn.write(prepared.bytes.length <= 16 * 1024 ? Buffer.concat([head, prepared.bytes]) : head);
      if (prepared.bytes.length > 16 * 1024) conn.write(prepared.bytes);
      armHead();
      return;
    }
    conn.write(head);
    if (prepared.kind === 'none') return armHead();
    conn.writing = true;
    const sendBody = async (): Promise<void> => {
      if (expect) {
        await new Promise<void>((go) => {
          const timer = setTimeout(() => go(), hop.continueTimeout);
          continueWaiter = () => {
            clearTimeout(timer);
            continueWaiter = undefined;
            go();
          };
        });
      }
      if (skipBody || done || conn.closed) return;
      if (prepared.kind === 'bytes') {
        if (!conn.write(prepared.bytes)) await conn.drain();
        if (response !== undefined) response.requestBodyBytes = prepared.bytes.length;
      } else {
        const n = await writeStreamBody(conn, prepared.source, chunked, prepared.length);
        if (response !== undefined) response.requestBodyBytes = n;
      }
    };
    sendBody().then(
      () => {
        conn.writing = false;
        armHead();
      },
      (error: ClientError) => {
        conn.writing = false;
        conn.destroy('client-close', error);
        fail(error);
      },
    );
  });
}
