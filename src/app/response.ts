import { HttpError } from '../server/http-error.js';
import { equalsIgnoreCase, isValidHeaderName, isValidHeaderValue } from '../wire/index.js';
import { serializeCookie } from './cookies.js';
import type { CookieAttributes } from './session-types.js';

/** FileBody is a response body read from disk when sent (see send-file.ts). */
export interface FileBody {
  readonly kind: 'file';
  /** Absolute path, or a path relative to `root` when root is set (then it is vetted like a URL path). */
  readonly path: string;
  readonly root: string | undefined;
  readonly download: string | undefined;
}

export type Body = string | Uint8Array | FileBody | undefined;

/** RedirectStatus: the statuses redirect() accepts (RFC 9110 §15.4). */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/**
 * AppResponse is what a handler may return when a string or an object is not enough: a status,
 * headers, cookies and a body. Setters validate at once and throw HttpError 500 (not exposed) on a
 * bad name or a value with CR/LF, so a header-injection attempt fails inside the handler and is never
 * sent. Methods chain: `html(page).status(201).setCookie('a', 'b')`.
 */
export class AppResponse {
  statusCode: number;
  body: Body;
  /** Header fields as a flat [name, value, …] list, in the order set. */
  readonly fields: string[] = [];
  /** A redirect target that must pass the app's open-redirect guard before it is sent. */
  guardedLocation: string | undefined;

  constructor(body: Body = undefined, status = 200, contentType?: string) {
    this.body = body;
    this.statusCode = status;
    if (contentType !== undefined) this.fields.push('Content-Type', contentType);
  }

  status(code: number): this {
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new HttpError(500, 'Invalid status code', { expose: false });
    this.statusCode = code;
    return this;
  }

  /** header replaces the field `name` (case-insensitive). */
  header(name: string, value: string | number): this {
    this.removeHeader(name);
    return this.appendHeader(name, value);
  }

  appendHeader(name: string, value: string | number): this {
    const text = String(value);
    if (!isValidHeaderName(name)) throw new HttpError(500, 'Invalid header name', { expose: false });
    if (!isValidHeaderValue(text)) throw new HttpError(500, 'Invalid header value', { expose: false });
    this.fields.push(name, text);
    return this;
  }

  getHeader(name: string): string | undefined {
    for (let i = 0; i < this.fields.length; i += 2) if (equalsIgnoreCase(this.fields[i]!, name)) return this.fields[i + 1];
    return undefined;
  }

  removeHeader(name: string): this {
    for (let i = this.fields.length - 2; i >= 0; i -= 2) if (equalsIgnoreCase(this.fields[i]!, name)) this.fields.splice(i, 2);
    return this;
  }

  /** setCookie adds a Set-Cookie field (serialised by the `cookie` package, which validates name and value). */
  setCookie(name: string, value: string, attrs: CookieAttributes = {}): this {
    return this.appendHeader('Set-Cookie', serializeCookie(name, value, attrs));
  }

  /** deleteCookie expires the cookie now; pass the Path and Domain it was set with, or it stays. */
  deleteCookie(name: string, attrs: Pick<CookieAttributes, 'path' | 'domain' | 'secure' | 'sameSite' | 'partitioned'> = {}): this {
    return this.setCookie(name, '', { ...attrs, expires: new Date(0), maxAge: 0 });
  }
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';

/** html answers with an HTML page (the string is sent as is: escape user input, or use templates). */
export function html(body: string, status = 200): AppResponse {
  return new AppResponse(body, status, HTML);
}

/** json answers with `JSON.stringify(value)` as application/json. */
export function json(value: unknown, status = 200): AppResponse {
  return new AppResponse(stringify(value), status, JSON_TYPE);
}

/** text answers with plain text. */
export function text(body: string, status = 200): AppResponse {
  return new AppResponse(body, status, TEXT);
}

/**
 * redirect answers with `Location: url`. Throws HttpError 400 when `url` holds control characters
 * (CR/LF would split the response). Unless `external` is true, the app's guard refuses targets that
 * leave the request's origin (an open redirect), so `redirect(req.args.get('next'))` is safe.
 * 303 turns a POST into a GET (post/redirect/get); 307/308 repeat the method and body.
 */
export function redirect(url: string, status: RedirectStatus = 302, options: { external?: boolean } = {}): AppResponse {
  if (![301, 302, 303, 307, 308].includes(status)) throw new TypeError(`redirect status must be 301, 302, 303, 307 or 308, not ${status}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(url)) throw new HttpError(400, 'Invalid redirect target');
  // Non-ASCII is percent-encoded: a field value must stay within visible ASCII to mean the same everywhere.
  const location = url.replace(/[^\x21-\x7e]+/g, (s) => encodeURIComponent(s));
  const res = new AppResponse(undefined, status).header('Location', location);
  if (options.external !== true) res.guardedLocation = location;
  return res;
}

/**
 * sendFile answers with a file, reusing the static server's code (type, ETag/Last-Modified and 304,
 * Range/206). With `root`, `path` is a URL-style path under root, vetted like a static request (no
 * `..`, no hidden names, no symlink escape): use that form for any user-supplied name.
 * `download` adds `Content-Disposition: attachment` with that file name.
 */
export function sendFile(path: string, options: { root?: string; download?: string } = {}): AppResponse {
  return new AppResponse({ kind: 'file', path, root: options.root, download: options.download });
}

/** abort throws an HttpError: the app's error handlers turn it into the response. */
export function abort(status: number, message?: string): never {
  throw new HttpError(status, message);
}

/** stringify is JSON.stringify that fails like a server error (cycles, BigInt) instead of a TypeError. */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    throw new HttpError(500, 'Response is not serialisable as JSON', { cause: error, expose: false });
  }
}

export const CONTENT_TYPES = { html: HTML, json: JSON_TYPE, text: TEXT } as const;
