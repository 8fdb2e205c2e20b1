import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HttpError } from '../server/http-error.js';
import type { Request, Response } from '../server/types.js';
import { equalsIgnoreCase } from '../wire/index.js';
import { FileCache } from '../static/file-cache.js';
import { resolveOptions, type ResolvedOptions } from '../static/options.js';
import { checkRealPath, fsError, resolveSafePath } from '../static/safe-path.js';
import { serveFile } from '../static/serve-file.js';
import { AppResponse, CONTENT_TYPES, stringify, type FileBody } from './response.js';

/** HandlerResult is what a route handler may return. */
export type HandlerResult = AppResponse | string | Uint8Array | object | number | boolean | null;

/**
 * toResponse turns a handler's result into an AppResponse: a string is an HTML page, bytes are
 * application/octet-stream, anything else is JSON. `undefined` is a bug in the handler (Flask says the
 * same about None): it becomes a 500 with the reason shown only in dev mode.
 */
export function toResponse(result: unknown): AppResponse {
  if (result instanceof AppResponse) return result;
  if (typeof result === 'string') return new AppResponse(result, 200, CONTENT_TYPES.html);
  if (result instanceof Uint8Array) return new AppResponse(result, 200, 'application/octet-stream');
  if (result === undefined || typeof result === 'function' || typeof result === 'symbol') {
    throw new HttpError(500, 'The handler returned no response', { expose: false, cause: new TypeError(`handler returned ${typeof result}`) });
  }
  return new AppResponse(stringify(result), 200, CONTENT_TYPES.json);
}

/**
 * checkRedirect applies the open-redirect guard: a guarded Location must resolve (as a browser would,
 * WHATWG URL: backslashes are slashes, tabs dropped) to the request's own origin. `//evil.example`,
 * `/\evil.example`, `https://evil.example` and `http:evil.example` are refused with 400.
 */
export function checkRedirect(response: AppResponse, origin: string): void {
  const location = response.guardedLocation;
  if (location === undefined) return;
  let target: URL;
  try {
    // A target with a scheme is read as absolute, the way non-browser clients read it: WHATWG would
    // take `http:evil.example` as a path on this site, curl as the host evil.example.
    target = /^[a-z][a-z\d+.-]*:/i.test(location) ? new URL(location) : new URL(location, `${origin}/`);
  } catch (error) {
    throw new HttpError(400, 'Invalid redirect target', { cause: error });
  }
  if (target.origin !== new URL(origin).origin) throw new HttpError(400, 'Redirect target leaves this site');
}

/** FileSender serves FileBody responses through static/'s serveFile, with one cache per app. */
export class FileSender {
  private readonly options: ResolvedOptions;
  private readonly cache: FileCache;
  constructor() {
    this.options = resolveOptions({ root: '/', gzip: true });
    this.cache = new FileCache(16 * 1024 * 1024, 256 * 1024);
  }

  /** send answers GET/HEAD with the file (ranges, validators, 304); HttpError 404/403 when unavailable. */
  async send(req: Request, res: Response, body: FileBody): Promise<void> {
    let path = body.path;
    if (body.root !== undefined) {
      const rel = `/${body.path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/')}`;
      const root = resolve(body.root);
      const safe = resolveSafePath(root, rel);
      const realRoot = await realpath(root).catch((error: unknown) => {
        throw fsError(error);
      });
      path = await checkRealPath(realRoot, safe.abs);
    }
    let st;
    try {
      st = await stat(path);
    } catch (error) {
      throw fsError(error);
    }
    if (!st.isFile()) throw new HttpError(404);
    if (body.download !== undefined) res.setHeader('Content-Disposition', contentDisposition(body.download));
    await serveFile(this.options, this.cache, req, res, path, st);
  }
}

/** contentDisposition: an ASCII fallback name plus the RFC 8187 UTF-8 form (RFC 6266 §4.3). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** writeResponse sends an AppResponse on the engine Response (file bodies are read from disk now). */
export async function writeResponse(req: Request, res: Response, response: AppResponse, files: FileSender): Promise<void> {
  res.status(response.statusCode);
  const f = response.fields;
  let nosniff = false;
  for (let i = 0; i < f.length; i += 2) {
    res.appendHeader(f[i]!, f[i + 1]!);
    if (equalsIgnoreCase(f[i]!, 'x-content-type-options')) nosniff = true;
  }
  if (!nosniff) res.setHeader('X-Content-Type-Options', 'nosniff');
  const body = response.body;
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  await files.send(req, res, body);
}

/** clearHeaders drops every header set so far, so an error page can replace a half-built response. */
export function clearHeaders(res: Response): void {
  const list = res.headerList();
  const names = new Set<string>();
  for (let i = 0; i < list.length; i += 2) names.add(list[i]!);
  for (const name of names) res.removeHeader(name);
}
