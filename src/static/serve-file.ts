import type { Stats } from 'node:fs';
import { HttpError } from '../server/http-error.js';
import { ServerResponse } from '../server/response.js';
import type { Request, Response } from '../server/types.js';
import { evaluatePreconditions, ifRangeAllows, makeEtag, type Validators } from './conditional.js';
import { isCompressible, MIN_COMPRESS_BYTES, negotiateEncoding, type Coding } from './encoding.js';
import type { CachedFile, FileCache } from './file-cache.js';
import { injectReloadScript } from './live-reload.js';
import { contentTypeFor } from './mime.js';
import type { ResolvedOptions } from './options.js';
import { parseRange, unsatisfiedRange } from './range.js';
import { multipartFraming, streamFile } from './send-file.js';
import type { Sibling } from './siblings.js';

const NO_SIBLINGS: readonly Sibling[] = [];

/**
 * serveFile answers GET or HEAD for the regular file `path` (already vetted by safe-path) with
 * `status` (200, or 404 for a 404.html page). Order: pick the representation (coding), evaluate
 * preconditions against its validators (RFC 9110 §13.2.2), then Range (§14), then send from the
 * memory cache or stream from disk. A Range is never combined with a content coding: byte offsets
 * would refer to the compressed stream, which on-the-fly compression cannot reproduce exactly.
 * Returns undefined when the response ended synchronously (a cached file: the common case, with no
 * promise to allocate or settle), else a promise for the rest.
 */
export function serveFile(o: ResolvedOptions, cache: FileCache, req: Request, res: Response, path: string, st: Stats, status = 200): Promise<void> | undefined {
  const cached = cache.cacheable(st.size) ? cache.peek(path, st) : undefined;
  const type = cached?.type ?? contentTypeFor(path);
  const head = req.method === 'HEAD';
  const rangeHeader = status === 200 && req.method === 'GET' ? req.headers.get('range') : undefined;
  if (o.liveReload !== undefined && rangeHeader === undefined && type.startsWith('text/html') && cache.cacheable(st.size)) {
    return serveWithReload(o, cache, req, res, path, st, status, type);
  }
  const compressible = o.gzip && isCompressible(type) && st.size >= MIN_COMPRESS_BYTES && cache.cacheable(st.size);
  const accept = req.headers.get('accept-encoding');

  let coding: Coding = 'identity';
  let sibling: Sibling | undefined;
  const siblings = accept === undefined || rangeHeader !== undefined ? NO_SIBLINGS : cache.siblings.find(path);
  if (rangeHeader === undefined && accept !== undefined) {
    const available: Coding[] = compressible ? ['br', 'gzip'] : siblings.map((s) => s.coding);
    coding = negotiateEncoding(accept, available);
    sibling = siblings.find((s) => s.coding === coding);
  }

  const source = sibling?.st ?? st;
  const facts = sibling === undefined && cached !== undefined ? cachedFacts(cached, type) : undefined;
  const validators: Validators = {
    etag: coding === 'identity' && facts !== undefined ? facts.etag : makeEtag(source.size, source.mtimeMs, coding),
    lastModifiedSec: Math.floor(st.mtimeMs / 1000),
  };
  res.setHeader('Content-Type', type);
  res.setHeader('Accept-Ranges', 'bytes');
  if (status === 200) {
    res.setHeader('ETag', validators.etag);
    res.setHeader('Last-Modified', facts?.lastModified ?? httpDateOf(validators.lastModifiedSec));
    res.setHeader('Cache-Control', o.cacheControl);
  } else {
    res.setHeader('Cache-Control', 'no-store'); // an error page must not be kept for the URL
  }
  if (compressible || siblings.length > 0 || (o.gzip && isCompressible(type))) res.setHeader('Vary', 'Accept-Encoding');

  if (status === 200) {
    const pre = evaluatePreconditions(req.method, req.headers, validators);
    if (pre === 'not-modified') {
      res.removeHeader('Content-Type');
      res.status(304).end();
      return undefined;
    }
    if (pre === 'precondition-failed') throw new HttpError(412);
  }

  if (rangeHeader !== undefined && ifRangeAllows(req.headers, validators)) {
    const parsed = parseRange(rangeHeader, st.size);
    if (parsed.kind === 'unsatisfiable') throw new HttpError(416, undefined, { headers: { 'Content-Range': unsatisfiedRange(st.size) } });
    if (parsed.kind === 'ranges') {
      const ranges = parsed.ranges;
      res.status(206);
      if (ranges.length === 1) {
        const r = ranges[0]!;
        res.setHeader('Content-Range', `bytes ${r.start}-${r.end}/${st.size}`);
        res.setHeader('Content-Length', r.end - r.start + 1);
        return sendBody(cache, res, path, st, head, r);
      }
      return sendMultipart(res, path, st, type, ranges, head);
    }
  }

  res.status(status);
  if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
  if (sibling !== undefined) {
    res.setHeader('Content-Length', sibling.st.size);
    return sendBody(cache, res, sibling.path, sibling.st, head, { start: 0, end: sibling.st.size - 1 });
  }
  if (coding !== 'identity') {
    const body = cached?.variants.get(coding);
    if (body === undefined) return sendCompressed(cache, res, path, st, coding, head);
    res.setHeader('Content-Length', body.length);
    res.end(head ? undefined : body);
    return undefined;
  }
  res.setHeader('Content-Length', st.size);
  return sendBody(cache, res, path, st, head, { start: 0, end: st.size - 1 }, cached);
}

/** cachedFacts fills, once per version, the header values a cache entry keeps, and returns the entry. */
function cachedFacts(entry: CachedFile, type: string): CachedFile & { etag: string; lastModified: string } {
  entry.type ??= type;
  entry.etag ??= makeEtag(entry.size, entry.mtimeMs);
  entry.lastModified ??= httpDateOf(Math.floor(entry.mtimeMs / 1000));
  return entry as CachedFile & { etag: string; lastModified: string };
}

function httpDateOf(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

async function sendCompressed(cache: FileCache, res: Response, path: string, st: Stats, coding: Exclude<Coding, 'identity'>, head: boolean): Promise<void> {
  const entry = await cache.get(path, st);
  const body = entry.variants.get(coding) ?? (await cache.variant(path, entry, coding));
  res.setHeader('Content-Length', body.length);
  res.end(head ? undefined : body);
}

async function sendMultipart(res: Response, path: string, st: Stats, type: string, ranges: readonly { start: number; end: number }[], head: boolean): Promise<void> {
  const mp = multipartFraming(ranges, st.size, type);
  res.setHeader('Content-Type', mp.contentType);
  res.setHeader('Content-Length', mp.length);
  if (head) return res.end();
  await streamFile(res, path, ranges, (i) => mp.partHeads[i]!, mp.closing);
  res.end();
}

/**
 * serveWithReload sends an HTML page with the live reload script injected before `</body>`: its own
 * ETag (`-lr`: a different representation from the file's bytes), Content-Length of the injected
 * body, no content coding (a development mode: simpler beats smaller). Range requests never come here;
 * they get the file's own bytes, so offsets stay those of the file.
 */
async function serveWithReload(o: ResolvedOptions, cache: FileCache, req: Request, res: Response, path: string, st: Stats, status: number, type: string): Promise<void> {
  const validators: Validators = { etag: makeEtag(st.size, st.mtimeMs, 'lr'), lastModifiedSec: Math.floor(st.mtimeMs / 1000) };
  res.setHeader('Content-Type', type);
  if (status === 200) {
    res.setHeader('ETag', validators.etag);
    res.setHeader('Last-Modified', httpDateOf(validators.lastModifiedSec));
    res.setHeader('Cache-Control', o.cacheControl);
    const pre = evaluatePreconditions(req.method, req.headers, validators);
    if (pre === 'not-modified') {
      res.removeHeader('Content-Type');
      res.status(304).end();
      return;
    }
    if (pre === 'precondition-failed') throw new HttpError(412);
  } else {
    res.setHeader('Cache-Control', 'no-store');
  }
  const body = injectReloadScript((await cache.get(path, st)).body);
  res.status(status);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * sendBody ends `res` with one byte range of a file: from memory when small (synchronously when the
 * file is cached, so the engine sends head and body in one write), else streamed.
 */
function sendBody(cache: FileCache, res: Response, path: string, st: Stats, head: boolean, r: { start: number; end: number }, cached?: CachedFile): Promise<void> | undefined {
  if (head || st.size === 0) {
    res.end();
    return undefined;
  }
  if (!cache.cacheable(st.size)) return streamRange(res, path, r);
  const entry = cached ?? cache.peek(path, st);
  if (entry === undefined) return cache.get(path, st).then((loaded) => endWithSlice(cache, res, path, loaded, r));
  endWithSlice(cache, res, path, entry, r);
  return undefined;
}

/** Small whole bodies up to this size go out as latin1 strings (one copy fewer per response). */
const LATIN1_MAX_BYTES = 16 * 1024;

function endWithSlice(cache: FileCache, res: Response, path: string, entry: CachedFile, r: { start: number; end: number }): void {
  const whole = r.start === 0 && r.end === entry.body.length - 1;
  if (whole && entry.body.length <= LATIN1_MAX_BYTES && res instanceof ServerResponse) {
    res.endLatin1(cache.latin1(path, entry));
    return;
  }
  res.end(whole ? entry.body : entry.body.subarray(r.start, r.end + 1));
}

async function streamRange(res: Response, path: string, r: { start: number; end: number }): Promise<void> {
  await streamFile(res, path, [r]);
  res.end();
}
