import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { HttpError, isHttpError } from '../server/http-error.js';
import type { Handler, Request, Response } from '../server/types.js';
import { FileCache } from './file-cache.js';
import { encodeSegment, readListing, renderListingHtml, renderListingJson } from './listing.js';
import { resolveOptions, type ResolvedOptions, type StaticOptions } from './options.js';
import { errorPage } from './pages.js';
import { STATUS_REASONS } from '../wire/index.js';
import { STATUS_TEXT } from './status-text.js';
import { fsError, resolveSafePath, SafePathMemo, VettedPaths, type SafePath } from './safe-path.js';
import { injectReloadScript, LIVE_RELOAD_PATH } from './live-reload.js';
import { serveFile } from './serve-file.js';
import { allowFor, handlePost, handlePut, type UploadPolicy } from './upload.js';

/** Methods of RFC 9110 §9 (plus PATCH): known but not served here -> 405; anything else -> 501. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const ALLOW = 'GET, HEAD, OPTIONS';

/**
 * createStaticHandler returns a Handler serving `options.root`: files with MIME type, validators,
 * conditional requests, ranges and compression; folders as index.html or a listing; HEAD and OPTIONS.
 * Throws at creation when the root does not exist. Every response carries
 * `X-Content-Type-Options: nosniff`; errors are answered here (not by the engine) so they keep it and
 * can use a folder's 404.html. Nothing is read outside the root (see safe-path.ts).
 */
export function createStaticHandler(options: StaticOptions): Handler {
  const o = resolveOptions(options);
  const cache = new FileCache(o.cacheBytes, o.cacheMaxFileBytes);
  const vetted = new VettedPaths();
  const paths = new SafePathMemo(o.root, o);
  return (req: Request, res: Response): Promise<void> | undefined => {
    // a cached file is answered synchronously: no promise is made unless some step has to wait
    let pending: Promise<void> | undefined;
    try {
      pending = dispatch(o, cache, paths, vetted, req, res);
    } catch (error) {
      return recover(o, cache, vetted, req, res, error);
    }
    return pending?.then(undefined, (error: unknown) => recover(o, cache, vetted, req, res, error));
  };
}

/** recover answers a failed request with an error page; once the head is out, the engine cuts the connection instead. */
function recover(o: ResolvedOptions, cache: FileCache, vetted: VettedPaths, req: Request, res: Response, error: unknown): Promise<void> {
  if (res.headersSent) throw error;
  return renderError(o, cache, vetted, req, res, error);
}

function dispatch(o: ResolvedOptions, cache: FileCache, paths: SafePathMemo, vetted: VettedPaths, req: Request, res: Response): Promise<void> | undefined {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (o.corsOrigin !== undefined) res.setHeader('Access-Control-Allow-Origin', o.corsOrigin);
  const method = req.method;
  if (method === 'OPTIONS') return answerOptions(o, req, res);
  if (o.liveReload !== undefined && req.path === LIVE_RELOAD_PATH && method === 'GET') {
    o.note(req, 'live reload: event stream');
    return o.liveReload.handle(res);
  }
  if (o.upload !== undefined && (method === 'PUT' || method === 'POST')) return receiveUpload(o, o.upload, req, res);
  if (method !== 'GET' && method !== 'HEAD') {
    if (!KNOWN_METHODS.has(method)) throw new HttpError(501);
    throw new HttpError(405, undefined, { headers: { Allow: allowed(o) } });
  }
  const safe = paths.resolve(req.path);
  // synchronous on purpose: see checkRealPathSync (two thread-pool hops per request cost more than the lookups)
  const { real, st } = vetted.resolve(o.realRoot, safe.abs, o);
  if (st.isDirectory()) return serveDirectory(o, cache, vetted, req, res, safe, real);
  if (!st.isFile()) throw new HttpError(404); // sockets, fifos, devices: never opened
  if (safe.trailingSlash) throw new HttpError(404); // `file.txt/` names a folder that is not there
  return serveFile(o, cache, req, res, real, st);
}

async function receiveUpload(o: ResolvedOptions, upload: UploadPolicy, req: Request, res: Response): Promise<void> {
  try {
    return await (req.method === 'PUT' ? handlePut : handlePost)(o, upload, req, res);
  } catch (error) {
    // a refused upload may leave body bytes unread: close rather than read them to reuse the connection
    if (req.hasBody) res.closeAfter();
    if (isHttpError(error) && error.expose) o.note(req, `upload refused: ${error.message}`);
    throw error;
  }
}

/**
 * endWith ends a generated response (listing, redirect, error page). A HEAD answer carries the
 * Content-Length the GET body would have (RFC 9110 §9.3.2), not the 0 of the body it omits.
 */
function endWith(req: Request, res: Response, body: string | Buffer): void {
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function withReload(html: string): Buffer {
  return injectReloadScript(Buffer.from(html, 'utf8'));
}

function allowed(o: ResolvedOptions): string {
  return o.upload === undefined ? ALLOW : allowFor('any');
}

/** answerOptions: `OPTIONS *` or a path -> 204 with Allow; CORS preflights get the CORS fields too. */
function answerOptions(o: ResolvedOptions, req: Request, res: Response): undefined {
  res.setHeader('Allow', allowed(o));
  if (o.corsOrigin !== undefined && req.headers.has('access-control-request-method')) {
    res.setHeader('Access-Control-Allow-Methods', allowed(o));
    const asked = req.headers.get('access-control-request-headers');
    if (asked !== undefined) res.setHeader('Access-Control-Allow-Headers', asked);
    res.setHeader('Access-Control-Max-Age', 86400);
  }
  res.setHeader('Content-Length', 0);
  res.status(204).end();
  return undefined;
}

/**
 * serveDirectory: a path without the trailing slash redirects (301) to the slash form, keeping the
 * query, so relative links in the page resolve inside the folder. The Location is rebuilt from the
 * decoded segments: reusing the raw path would turn `//evil.example` into an open redirect.
 */
function serveDirectory(o: ResolvedOptions, cache: FileCache, vetted: VettedPaths, req: Request, res: Response, safe: SafePath, real: string): Promise<void> | undefined {
  if (!safe.trailingSlash && safe.segments.length > 0) {
    const location = `/${safe.segments.map(encodeSegment).join('/')}/${req.query === '' ? '' : `?${req.query}`}`;
    res.setHeader('Location', location);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.status(301);
    endWith(req, res, `Moved to ${location}\n`);
    return undefined;
  }
  for (const name of o.index) {
    const index = vettedFile(o, vetted, join(safe.abs, name));
    if (index !== undefined) return serveFile(o, cache, req, res, index.real, index.st);
  }
  if (!o.listing) throw new HttpError(404);
  return serveListing(o, req, res, safe, real);
}

/** vettedFile returns `abs` when it is a regular file that may be served, through the same vetting as any request. */
function vettedFile(o: ResolvedOptions, vetted: VettedPaths, abs: string): { real: string; st: Stats } | undefined {
  try {
    const found = vetted.resolve(o.realRoot, abs, o);
    return found.st.isFile() ? found : undefined;
  } catch {
    return undefined;
  }
}

async function serveListing(o: ResolvedOptions, req: Request, res: Response, safe: SafePath, real: string): Promise<void> {
  let entries;
  try {
    entries = await readListing(real, o.showHidden);
  } catch (error) {
    throw fsError(error);
  }
  const page = { path: safe.decoded, entries, upload: o.upload !== undefined };
  const accept = req.headers.get('accept') ?? '';
  const json = accept.includes('application/json') && !accept.includes('text/html');
  const html = o.liveReload === undefined ? renderListingHtml(page) : withReload(renderListingHtml(page));
  const body = json ? renderListingJson(page) : html;
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Vary', 'Accept');
  endWith(req, res, body);
}

/**
 * renderError answers a failed request. 404s to GET/HEAD try, in order: the SPA fallback (200, only
 * for clients that accept HTML), the nearest `404.html` from the request's folder up to the root, and
 * the built-in page. A 500 is never exposed: its page names the status and nothing else.
 */
async function renderError(o: ResolvedOptions, cache: FileCache, vetted: VettedPaths, req: Request, res: Response, error: unknown): Promise<void> {
  const failure = isHttpError(error) ? error : fsError(error); // EACCES on open -> 403, unknown -> 500
  const status = failure.status;
  for (const name of [...res.headerList()].filter((_, i) => i % 2 === 0)) res.removeHeader(name);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (o.corsOrigin !== undefined) res.setHeader('Access-Control-Allow-Origin', o.corsOrigin);
  for (const [k, v] of Object.entries(failure.headers)) res.setHeader(k, v);
  const getLike = req.method === 'GET' || req.method === 'HEAD';
  if (status === 404 && getLike) {
    const page = findNotFoundPage(o, vetted, req);
    if (page !== undefined) {
      try {
        o.note(req, page.note);
        return await serveFile(o, cache, req, res, page.real, page.st, page.status);
      } catch {
        // the page vanished or is unreadable: fall through to the built-in one
      }
    }
  }
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  // messages static/ chose for the client (expose) say what to do, e.g. why an upload was refused
  const page = errorPage(status, failure.expose && failure.message !== STATUS_TEXT[status] && failure.message !== STATUS_REASONS[status] ? failure.message : undefined);
  endWith(req, res, o.liveReload === undefined ? page : withReload(page));
}

function findNotFoundPage(o: ResolvedOptions, vetted: VettedPaths, req: Request): { real: string; st: Stats; status: number; note: string } | undefined {
  if (o.spa !== undefined) {
    if ((req.headers.get('accept') ?? '').includes('text/html')) {
      const spa = vettedUrl(o, vetted, `/${o.spa.split('/').map(encodeSegment).join('/')}`);
      if (spa !== undefined) return { ...spa, status: 200, note: `spa: no file here and the client accepts HTML, sent /${o.spa}` };
    } else {
      o.note(req, 'spa: not applied, the client does not accept text/html');
    }
  }
  let segments: readonly string[];
  try {
    segments = resolveSafePath(o.root, req.path, o).segments;
  } catch {
    segments = [];
  }
  // nearest first: the folder of the missing name, then each parent up to the root
  for (let n = Math.max(0, segments.length - 1); n >= 0; n--) {
    const url = `/${[...segments.slice(0, n), '404.html'].map(encodeSegment).join('/')}`;
    const page = vettedUrl(o, vetted, url);
    if (page !== undefined) return { ...page, status: 404, note: `not found, sent the folder's ${url}` };
  }
  return undefined;
}

/** vettedUrl maps a URL path through the same safety checks as a request, returning a regular file or undefined. */
function vettedUrl(o: ResolvedOptions, vetted: VettedPaths, urlPath: string): { real: string; st: Stats } | undefined {
  let abs: string;
  try {
    abs = resolveSafePath(o.root, urlPath, o).abs;
  } catch {
    return undefined;
  }
  return vettedFile(o, vetted, abs);
}
