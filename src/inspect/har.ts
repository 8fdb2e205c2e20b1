import { parseSetCookie } from '../client/set-cookie.js';
import type { HeaderList, RequestHead, ResponseHead } from '../wire/index.js';
import type { CaptureEvent } from './capture.js';
import type { ConnectionRecord, Exchange, ExchangeConsumer, ExchangeEvent, MessageRecord } from './exchanges.js';

/** HAR 1.2 types (http://www.softwareishard.com/blog/har-12-spec/), the parts wirehttp writes. */
export interface HarNameValue {
  name: string;
  value: string;
}
export interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string; url: string; httpVersion: string; cookies: HarCookie[]; headers: HarNameValue[]; queryString: HarNameValue[];
    postData?: { mimeType: string; params?: HarNameValue[]; text?: string; comment?: string };
    headersSize: number; bodySize: number;
  };
  response: {
    status: number; statusText: string; httpVersion: string; cookies: HarCookie[]; headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: string; comment?: string };
    redirectURL: string; headersSize: number; bodySize: number;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; connect: number; send: number; wait: number; receive: number; ssl: number };
  serverIPAddress: string;
  connection: string;
  /** Why the exchange has no complete response (a custom field, as browsers write for failed requests). */
  _error?: string;
}
export interface Har {
  log: { version: '1.2'; creator: { name: string; version: string }; entries: HarEntry[] };
}

/**
 * HarRecorder collects every exchange as a HAR 1.2 entry. Bodies are kept as far as the splitter's
 * body cap (a truncated text says so in `comment`); binary content is base64-encoded. A request whose
 * connection closed before its response was complete is kept too, with status 0 (or the partial
 * response) and `_error` saying why, as browsers record failed requests.
 */
export class HarRecorder implements ExchangeConsumer {
  readonly entries: HarEntry[] = [];
  /** Exchanges with a request and no complete response yet, per connection. */
  private readonly pending = new Map<ConnectionRecord, Exchange[]>();

  exchange(event: ExchangeEvent): void {
    if (event.kind === 'request-head') {
      const list = this.pending.get(event.exchange.connection);
      if (list === undefined) this.pending.set(event.exchange.connection, [event.exchange]);
      else list.push(event.exchange);
    } else if (event.kind === 'response-end' && event.exchange.request !== undefined) {
      const list = this.pending.get(event.exchange.connection);
      const i = list?.indexOf(event.exchange) ?? -1;
      if (i >= 0) list!.splice(i, 1);
      this.entries.push(harEntry(event.exchange));
    }
  }

  /** The splitter reports a close after the ends it completes: what is still pending was never answered. */
  capture(event: CaptureEvent, record: ConnectionRecord | undefined): void {
    if (event.kind !== 'close' || record === undefined) return;
    const left = this.pending.get(record);
    this.pending.delete(record);
    for (const ex of left ?? []) this.entries.push(harEntry(ex, `connection closed (${record.closed?.reason ?? event.reason}) before the response was complete`));
  }

  /** har returns the log sorted by start time; exchanges still waiting are included with `_error`. */
  har(creatorVersion: string): Har {
    const waiting = [...this.pending.values()].flat().map((ex) => harEntry(ex, 'no complete response when the HAR was written'));
    const entries = [...this.entries, ...waiting].sort((a, b) => (a.startedDateTime < b.startedDateTime ? -1 : a.startedDateTime > b.startedDateTime ? 1 : 0));
    return { log: { version: '1.2', creator: { name: 'wirehttp', version: creatorVersion }, entries } };
  }
}

/** harEntry converts one exchange with its request and final response; `error` marks one without. */
export function harEntry(ex: Exchange, error?: string): HarEntry {
  const req = ex.request!;
  const res = ex.response;
  const conn = ex.connection;
  const reqEnd = req.end ?? req.headDone;
  const send = round(Math.max(0, reqEnd - req.start));
  const wait = res === undefined ? 0 : round(Math.max(0, res.start - reqEnd));
  const receive = res === undefined ? 0 : round(Math.max(0, (res.end ?? res.start) - res.start));
  const h = req.head;
  const ctype = req.head.headers.get('content-type') ?? '';
  return {
    startedDateTime: new Date(req.start).toISOString(),
    time: round(send + wait + receive),
    request: {
      method: h.method,
      url: absoluteUrl(h, conn.secure, conn.server),
      httpVersion: `HTTP/1.${h.versionMinor}`,
      cookies: h.headers.getAll('cookie').flatMap(requestCookies),
      headers: nameValues(h.headers),
      queryString: queryOf(h.target),
      ...(req.bodySize > 0 || h.framing.kind !== 'none' ? { postData: postData(req, ctype) } : {}),
      headersSize: req.headRaw.length,
      bodySize: req.wireSize - req.headRaw.length,
    },
    response: res === undefined ? NO_RESPONSE : {
      status: res.head.status,
      statusText: res.head.reason,
      httpVersion: `HTTP/1.${res.head.versionMinor}`,
      cookies: res.head.headers.getAll('set-cookie').flatMap(responseCookies),
      headers: nameValues(res.head.headers),
      content: content(res),
      redirectURL: res.head.headers.get('location') ?? '',
      headersSize: res.headRaw.length,
      bodySize: res.wireSize - res.headRaw.length,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send, wait, receive, ssl: -1 },
    serverIPAddress: conn.server.address,
    connection: String(conn.id),
    ...(error !== undefined ? { _error: error } : {}),
  };
}

/** The response of an entry that got none: status 0, as browsers export a failed request. */
const NO_RESPONSE: HarEntry['response'] = {
  status: 0, statusText: '', httpVersion: '', cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' },
  redirectURL: '', headersSize: -1, bodySize: -1,
};

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function nameValues(headers: HeaderList): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (let i = 0; i < headers.raw.length; i += 2) out.push({ name: headers.raw[i]!, value: headers.raw[i + 1]! });
  return out;
}

/** absoluteUrl rebuilds the URL the client asked for: an absolute-form target as is, else scheme + Host + target. */
export function absoluteUrl(h: RequestHead, secure: boolean, server: { address: string; port: number }): string {
  if (h.targetForm === 'absolute') return h.target;
  const scheme = secure ? 'https' : 'http';
  if (h.targetForm === 'authority') return `${scheme}://${h.target}/`;
  const host = h.headers.get('host') ?? (server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`);
  return `${scheme}://${host}${h.targetForm === 'asterisk' ? '/' : h.target}`;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** pairs reads `a=1&b=2` (application/x-www-form-urlencoded) into name/value pairs, decoded. */
function pairs(text: string): HarNameValue[] {
  if (text === '') return [];
  return text.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? { name: decode(p), value: '' } : { name: decode(p.slice(0, eq)), value: decode(p.slice(eq + 1)) };
  });
}

function queryOf(target: string): HarNameValue[] {
  const q = target.indexOf('?');
  if (q < 0) return [];
  const hash = target.indexOf('#', q);
  return pairs(target.slice(q + 1, hash < 0 ? undefined : hash));
}

function requestCookies(value: string): HarCookie[] {
  return value.split(';').map((c) => c.trim()).filter((c) => c !== '').map((c) => {
    const eq = c.indexOf('=');
    return eq < 0 ? { name: c, value: '' } : { name: c.slice(0, eq), value: c.slice(eq + 1) };
  });
}

function responseCookies(value: string): HarCookie[] {
  const c = parseSetCookie(value);
  if (c === undefined) return [];
  return [{
    name: c.name, value: c.value, httpOnly: c.httpOnly, secure: c.secure,
    ...(c.path !== undefined ? { path: c.path } : {}),
    ...(c.domain !== undefined ? { domain: c.domain } : {}),
    ...(c.expires !== undefined ? { expires: new Date(c.expires).toISOString() } : {}),
  }];
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml))|image\/svg\+xml)/i;

/** bodyText gives the kept body as UTF-8 text when it is text, else base64. */
function bodyText(m: MessageRecord<unknown>, mimeType: string): { text: string; encoding?: 'base64'; comment?: string } {
  const body = Buffer.concat(m.body);
  const comment = m.bodyTruncated ? { comment: `truncated: ${body.length} of ${m.bodySize} bytes kept` } : {};
  const utf8 = body.toString('utf8');
  const isText = (mimeType === '' || TEXTUAL.test(mimeType)) && !utf8.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f]/.test(utf8);
  if (isText) return { text: utf8, ...comment };
  return { text: body.toString('base64'), encoding: 'base64', ...comment };
}

function postData(req: MessageRecord<RequestHead>, mimeType: string): NonNullable<HarEntry['request']['postData']> {
  const { text, encoding, comment } = bodyText(req, mimeType);
  if (/^application\/x-www-form-urlencoded/i.test(mimeType) && encoding === undefined) return { mimeType, params: pairs(text), ...(comment !== undefined ? { comment } : {}) };
  return { mimeType, text, ...(encoding !== undefined ? { comment: `base64${comment !== undefined ? `; ${comment}` : ''}` } : comment !== undefined ? { comment } : {}) };
}

function content(res: MessageRecord<ResponseHead>): HarEntry['response']['content'] {
  const mimeType = res.head.headers.get('content-type') ?? 'x-unknown';
  if (res.bodySize === 0) return { size: 0, mimeType };
  return { size: res.bodySize, mimeType, ...bodyText(res, mimeType === 'x-unknown' ? 'application/octet-stream' : mimeType) };
}
