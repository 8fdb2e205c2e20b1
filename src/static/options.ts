import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Request } from '../server/types.js';
import type { LiveReload } from './live-reload.js';
import type { UploadPolicy } from './upload.js';

/** StaticOptions configures createStaticHandler. Only `root` is required. */
export interface StaticOptions {
  /** Folder to serve. */
  readonly root: string;
  /** List folders without index.html (default true). */
  readonly listing?: boolean;
  /** Serve and list names starting with `.` (default false: 404). */
  readonly showHidden?: boolean;
  /** Follow symlinks whose target is outside the root (default false: 403). */
  readonly followSymlinks?: boolean;
  /** Compress on the fly with br/gzip (default true). Precompressed siblings are served regardless. */
  readonly gzip?: boolean;
  /** Cache-Control max-age in seconds; undefined sends `no-cache` (always revalidate, cheap with 304s). */
  readonly cacheSeconds?: number;
  /** CORS: true sends `Access-Control-Allow-Origin: *`; a string sends that origin. Default off. */
  readonly cors?: boolean | string;
  /** SPA fallback: a file (relative to root, e.g. `index.html`) sent with 200 for missing paths asked by HTML clients. */
  readonly spa?: string;
  /** Names tried for a folder's index page (default ['index.html']). */
  readonly index?: readonly string[];
  /** Byte budget of the in-memory cache of small files and their compressed forms (default 64 MiB, 0 disables). */
  readonly cacheBytes?: number;
  /** Largest file kept in memory or compressed on the fly (default 1 MiB). */
  readonly cacheMaxFileBytes?: number;
  /**
   * onNote hears, in plain words, why a request got an answer other than the obvious one (the SPA
   * fallback, a folder's 404.html, an upload stored…), for an access log. Called before the response ends.
   */
  readonly onNote?: (req: Request, note: string) => void;
  /**
   * Accept uploads: PUT to a path writes that file, a multipart POST to a folder writes its files;
   * written under a temporary name and renamed when complete. Default off (PUT/POST -> 405).
   */
  readonly upload?: { readonly overwrite?: boolean; readonly maxBytes?: number };
  /**
   * Live reload (started by the caller, who also closes it): HTML pages, listings and error pages get
   * a script that reloads them when a file changes; `/__wirehttp/events` streams the changes.
   */
  readonly liveReload?: LiveReload;
}

/** ResolvedOptions are StaticOptions with defaults filled in and the root resolved once. */
export interface ResolvedOptions {
  readonly root: string;
  readonly realRoot: string;
  readonly listing: boolean;
  readonly showHidden: boolean;
  readonly followSymlinks: boolean;
  readonly gzip: boolean;
  readonly cacheControl: string;
  readonly corsOrigin: string | undefined;
  readonly spa: string | undefined;
  readonly index: readonly string[];
  readonly cacheBytes: number;
  readonly cacheMaxFileBytes: number;
  readonly note: (req: Request, note: string) => void;
  readonly upload: UploadPolicy | undefined;
  readonly liveReload: LiveReload | undefined;
}

/**
 * resolveOptions fills defaults and resolves the root (throws the fs error when it does not exist: a
 * server with no folder should fail at start, not on the first request).
 */
export function resolveOptions(options: StaticOptions): ResolvedOptions {
  const root = resolve(options.root);
  const realRoot = realpathSync(root);
  const secs = options.cacheSeconds;
  if (secs !== undefined && (!Number.isSafeInteger(secs) || secs < 0)) throw new RangeError('cacheSeconds must be a non-negative integer');
  return {
    root,
    realRoot,
    listing: options.listing ?? true,
    showHidden: options.showHidden ?? false,
    followSymlinks: options.followSymlinks ?? false,
    gzip: options.gzip ?? true,
    cacheControl: secs === undefined ? 'no-cache' : `public, max-age=${secs}`,
    corsOrigin: options.cors === true ? '*' : typeof options.cors === 'string' ? options.cors : undefined,
    spa: options.spa,
    index: options.index ?? ['index.html'],
    cacheBytes: options.cacheBytes ?? 64 * 1024 * 1024,
    cacheMaxFileBytes: options.cacheMaxFileBytes ?? 1024 * 1024,
    note: options.onNote ?? (() => {}),
    liveReload: options.liveReload,
    upload: options.upload === undefined ? undefined : { overwrite: options.upload.overwrite ?? false, maxBytes: options.upload.maxBytes ?? 100 * 1024 * 1024 },
  };
}
