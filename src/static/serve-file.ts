import { statSync, type Stats } from 'node:fs';
import { HttpError } from '../server/http-error.js';
import type { Request, Response } from '../server/types.js';
import { evaluatePreconditions, ifRangeAllows, makeEtag, type Validators } from './conditional.js';
import { isCompressible, MIN_COMPRESS_BYTES, negotiateEncoding, type Coding } from './encoding.js';
import type { FileCache } from './file-cache.js';
import { injectReloadScript } from './live-reload.js';
import { contentTypeFor } from './mime.js';
import type { ResolvedOptions } from './options.js';
import { parseRange, unsatisfiedRange } from './range.js';
import { multipartFraming, streamFile } from './send-file.js';

/** Sibling is a precompressed `file.br` / `file.gz` next to the file. */
interface Sibling {
  readonly coding: Exclude<Coding, 'identity'>;
  readonly path: string;
  readonly st: Stats;
}

const SIBLING_SUFFIX = { br: '.br', gzip: '.gz' } as const;

/**
 * serveFile answers GET or HEAD for the regular file `path` (already vetted by safe-path) with
 * `status` (200, or 404 for a 404.html page). Order: pick the representation (coding), evaluate
 * preconditions against its validators (RFC 9110 §13.2.2), then Range (§14), then send from the
 * memory cache or stream from disk. A Range is never combined with a content coding: byte offsets
 * would refer to the compressed stream, which on-the-fly compression cannot reproduce exactly.
 */
export async function serveFile(o: ResolvedOptions, cache: FileCache, req: Request, res: Response, path: string, st: Stats, status = 200): Promise<void> {
  const type = contentTypeFor(path);
  const head = req.method === 'HEAD';
  const rangeHeader = status === 200 && req.method === 'GET' ? req.headers.get('range') : undefined;
  if (o.liveReload !== undefined && rangeHeader === undefined && type.startsWith('text/html') && cache.cacheable(st.size)) {
    return serveWithReload(o, cache, req, res, path, st, status, type);
  }
  const compressible = o.gzip && isCompressible(type) && st.size >= MIN_COMPRESS_BYTES && cache.cacheable(st.size);
  const accept = req.headers.get('accept-encoding');

  let coding: Coding = 'identity';
  let sibling: Sibling | undefined;
  const siblings = accept === undefined || rangeHeader !== undefined ? [] : findSiblings(path);
  if (rangeHeader === undefined && accept !== undefined) {
    const available: Coding[] = compressible ? ['br', 'gzip'] : siblings.map((s) => s.coding);
    coding = negotiateEncoding(accept, available);
    sibling = siblings.find((s) => s.coding === coding);
  }

  const source = sibling?.st ?? st;
  const validators: Validators = { etag: makeEtag(source.size, source.mtimeMs, coding), lastModifiedSec: Math.floor(st.mtimeMs / 1000) };
  res.setHeader('Content-Type', type);
  res.setHeader('Accept-Ranges', 'bytes');
  if (status === 200) {
    res.setHeader('ETag', validators.etag);
    res.setHeader('Last-Modified', new Date(validators.lastModifiedSec * 1000).toUTCString());
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
      return;
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
        await sendBody(cache, res, path, st, head, ranges);
        return;
      }
      const mp = multipartFraming(ranges, st.size, type);
      res.setHeader('Content-Type', mp.contentType);
      res.setHeader('Content-Length', mp.length);
      if (head) return res.end();
      await streamFile(res, path, ranges, (i) => mp.partHeads[i]!, mp.closing);
      res.end();
      return;
    }
  }

  res.status(status);
  if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
  if (sibling !== undefined) {
    res.setHeader('Content-Length', sibling.st.size);
    await sendBody(cache, res, sibling.path, sibling.st, head, [{ start: 0, end: sibling.st.size - 1 }]);
  } else if (coding !== 'identity') {
    const entry = cache.peek(path, st.mtimeMs, st.size) ?? (await cache.get(path, st.mtimeMs, st.size));
    const body = entry.variants.get(coding) ?? (await cache.variant(path, entry, coding));
    res.setHeader('Content-Length', body.length);
    res.end(head ? undefined : body);
  } else {
    res.setHeader('Content-Length', st.size);
    await sendBody(cache, res, path, st, head, [{ start: 0, end: st.size - 1 }]);
  }
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
    res.setHeader('Last-Modified', new Date(validators.lastModifiedSec * 1000).toUTCString());
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
  const body = injectReloadScript((await cache.get(path, st.mtimeMs, st.size)).body);
  res.status(status);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** sendBody ends `res` with one byte range of a file: from memory when small, else streamed. */
async function sendBody(cache: FileCache, res: Response, path: string, st: Stats, head: boolean, ranges: readonly [{ start: number; end: number }] | readonly { start: number; end: number }[]): Promise<void> {
  const r = ranges[0]!;
  if (head || st.size === 0) return res.end();
  if (cache.cacheable(st.size)) {
    // a hit ends the response without an await: see FileCache.peek
    const entry = cache.peek(path, st.mtimeMs, st.size) ?? (await cache.get(path, st.mtimeMs, st.size));
    res.end(r.start === 0 && r.end === entry.body.length - 1 ? entry.body : entry.body.subarray(r.start, r.end + 1));
    return;
  }
  await streamFile(res, path, [r]);
  res.end();
}

/**
 * findSiblings returns the precompressed variants present next to `path` (regular files only). Two
 * synchronous stats: every browser request asks (they all send Accept-Encoding), and an absent name
 * is answered from the dentry cache without the thread-pool round trip an async stat costs.
 */
function findSiblings(path: string): Sibling[] {
  const out: Sibling[] = [];
  for (const coding of ['br', 'gzip'] as const) {
    const p = path + SIBLING_SUFFIX[coding];
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isFile() === true) out.push({ coding, path: p, st });
  }
  return out;
}
