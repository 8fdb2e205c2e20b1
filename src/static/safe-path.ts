import { realpathSync, statSync, type Stats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { HttpError } from '../server/http-error.js';
import { TurnMemo } from './turn-memo.js';

/**
 * SafePath is a request path mapped under the root. `segments` are the decoded path segments (no
 * empty, `.` or `..` segments: those are refused, never dropped), `abs` the resolved file path, and
 * `trailingSlash` whether the request path ended in `/` (directories redirect to the slash form).
 */
export interface SafePath {
  readonly abs: string;
  readonly segments: readonly string[];
  readonly trailingSlash: boolean;
  /** The decoded path, `/`-joined, starting with `/` (for listings and logs; never for fs calls). */
  readonly decoded: string;
}

export interface SafePathOptions {
  /** Serve names starting with `.` (default false: they answer 404 as if absent). */
  readonly showHidden?: boolean;
}

/** Refusal reasons, so tests and logs can tell which rule fired without reading messages. */
export type PathRefusal =
  | 'not-origin-path'
  | 'bad-percent-encoding'
  | 'bad-utf8'
  | 'nul'
  | 'backslash'
  | 'encoded-slash'
  | 'dot-segment'
  | 'drive-letter'
  | 'outside-root'
  | 'hidden'
  | 'symlink-outside';

/** PathError is the HttpError static/ throws for a refused path; `reason` names the rule. */
export class PathError extends HttpError {
  readonly reason: PathRefusal;
  constructor(status: 400 | 403 | 404, reason: PathRefusal, options?: { cause?: unknown }) {
    // expose:false: the default reason phrase is all a client sees, never its own path echoed back.
    super(status, undefined, { expose: false, cause: options?.cause });
    this.reason = reason;
  }
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * decodeSegment percent-decodes one raw segment (the text between two literal `/`). Throws
 * PathError 400 on invalid percent-encoding, invalid or overlong UTF-8 (`%c0%ae`: decodeURIComponent
 * rejects non-shortest forms), NUL, a backslash (a separator on Windows; refused everywhere so a
 * tree behaves the same on every OS) and an encoded `/` (it would change segment boundaries).
 */
export function decodeSegment(raw: string): string {
  if (raw.indexOf('%') !== -1) {
    for (let i = raw.indexOf('%'); i !== -1; i = raw.indexOf('%', i + 1)) {
      if (!HEX.test(raw.slice(i + 1, i + 3))) throw new PathError(400, 'bad-percent-encoding');
    }
  }
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch (error) {
    throw new PathError(400, 'bad-utf8', { cause: error });
  }
  if (text.indexOf('\0') !== -1) throw new PathError(400, 'nul');
  if (text.indexOf('\\') !== -1) throw new PathError(400, 'backslash');
  if (text.indexOf('/') !== -1) throw new PathError(400, 'encoded-slash');
  return text;
}

/**
 * resolveSafePath maps `rawPath` (from `req.path`: percent-encoded, starting with `/`) under `root`
 * (an absolute, resolved directory). Returns the SafePath or throws PathError:
 * 400 for malformed or dot segments (`.`/`..`, also encoded: clients normalise those themselves, so a
 * request still carrying one is refused rather than silently rewritten), Windows drive letters;
 * 404 for hidden names unless `showHidden`; 403 if the result still escapes `root` (defence in depth:
 * compared against `root + sep`, so `/srv/www2` is not inside `/srv/www`).
 */
export function resolveSafePath(root: string, rawPath: string, options: SafePathOptions = {}): SafePath {
  if (rawPath.length === 0 || rawPath.charCodeAt(0) !== 0x2f) throw new PathError(400, 'not-origin-path');
  const segments: string[] = [];
  let start = 1;
  for (let i = 1; i <= rawPath.length; i++) {
    if (i !== rawPath.length && rawPath.charCodeAt(i) !== 0x2f) continue;
    const raw = rawPath.slice(start, i);
    start = i + 1;
    if (raw === '') continue; // `//` collapses: an empty segment names nothing and cannot climb
    const seg = decodeSegment(raw);
    if (seg === '.' || seg === '..') throw new PathError(400, 'dot-segment');
    if (segments.length === 0 && seg.length >= 2 && seg.charCodeAt(1) === 0x3a && isAsciiLetter(seg.charCodeAt(0))) {
      throw new PathError(400, 'drive-letter');
    }
    if (seg.charCodeAt(0) === 0x2e && options.showHidden !== true) throw new PathError(404, 'hidden');
    segments.push(seg);
  }
  const abs = segments.length === 0 ? root : resolve(root, ...segments);
  if (!isInside(root, abs)) throw new PathError(403, 'outside-root');
  const trailingSlash = rawPath.length > 1 && rawPath.charCodeAt(rawPath.length - 1) === 0x2f;
  return { abs, segments, trailingSlash, decoded: `/${segments.join('/')}${trailingSlash && segments.length > 0 ? '/' : ''}` };
}

/**
 * SafePathMemo remembers resolveSafePath results per raw path: a site's pages and assets are asked for
 * over and over, and decoding plus path.resolve was a tenth of the work per small-file request.
 * Refusals are not kept (they throw); long paths are not kept, so the memory stays bounded.
 */
export class SafePathMemo {
  private readonly entries = new Map<string, SafePath>();

  constructor(
    private readonly root: string,
    private readonly options: SafePathOptions,
    private readonly max = 2000,
  ) {}

  resolve(rawPath: string): SafePath {
    const known = this.entries.get(rawPath);
    if (known !== undefined) return known;
    const safe = resolveSafePath(this.root, rawPath, this.options);
    if (rawPath.length <= 256) {
      if (this.entries.size >= this.max) this.entries.clear(); // crude bound: a refill costs one resolve per path
      this.entries.set(rawPath, safe);
    }
    return safe;
  }
}

/** isInside reports whether `abs` is `root` itself or below it (never a sibling sharing a prefix). */
export function isInside(root: string, abs: string): boolean {
  if (abs === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return abs.startsWith(prefix);
}

export interface RealPathOptions {
  /** Allow symlinks whose target lies outside the root (default false -> 403). */
  readonly followSymlinks?: boolean;
  readonly showHidden?: boolean;
}

/**
 * checkRealPath resolves symlinks in `abs` and returns the real path. `realRoot` must be the root's
 * own realpath. Throws PathError 403 when the target leaves the root (unless followSymlinks), 404 when
 * it leads to a hidden name inside the root (a link must not unhide a dotfile), and HttpError 404/403
 * for missing or unreadable paths.
 */
export async function checkRealPath(realRoot: string, abs: string, options: RealPathOptions = {}): Promise<string> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch (error) {
    throw fsError(error);
  }
  return vetRealPath(realRoot, real, options);
}

/**
 * checkRealPathSync is checkRealPath with a synchronous realpath(3), for the small-file hot path: the
 * thread-pool round trip of the async call cost more than the lookup itself (PERFORMANCE: realpath
 * plus stat were a third of the CPU per 4 KB request), and a local path's metadata is in the kernel's
 * dentry cache, so the call returns in microseconds. Same results and errors as checkRealPath.
 */
export function checkRealPathSync(realRoot: string, abs: string, options: RealPathOptions = {}): string {
  let real: string;
  try {
    real = realpathSync.native(abs);
  } catch (error) {
    throw fsError(error);
  }
  return vetRealPath(realRoot, real, options);
}

/**
 * VettedPaths remembers, per absolute path, the real path it was vetted to and that file's (dev, ino).
 * `resolve` stats the path (the kernel follows any symlinks in one call) and, when the file is the
 * same inode that was vetted for this path, skips the realpath walk, the larger part of the lookup
 * cost. Any change that could matter (a symlink retargeted to another file, a file replaced by a save
 * or upload) gives another inode and a full check; refusals are never remembered. A path that comes
 * to lead to another name of the same inode (a hard link) serves the bytes it was vetted for.
 * Within one turn of the event loop a path is stat'ed once (TurnMemo: the requests answered in a
 * turn were all sent before it began, so they all see the disk as it is now).
 */
export class VettedPaths {
  private readonly entries = new Map<string, { real: string; dev: number; ino: number }>();
  private readonly thisTurn = new TurnMemo<{ real: string; st: Stats }>();

  constructor(private readonly max = 10_000) {}

  /** resolve returns the vetted real path and its Stats, or throws like checkRealPathSync. */
  resolve(realRoot: string, abs: string, options: RealPathOptions = {}): { real: string; st: Stats } {
    const fresh = this.thisTurn.get(abs);
    if (fresh !== undefined) return fresh;
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (error) {
      throw fsError(error);
    }
    const known = this.entries.get(abs);
    let real: string;
    if (known !== undefined && known.ino === st.ino && known.dev === st.dev) {
      real = known.real;
    } else {
      real = checkRealPathSync(realRoot, abs, options);
      if (this.entries.size >= this.max) this.entries.clear(); // crude bound: a refill costs one realpath per path
      this.entries.set(abs, { real, dev: st.dev, ino: st.ino });
    }
    const found = { real, st };
    this.thisTurn.set(abs, found);
    return found;
  }
}

function vetRealPath(realRoot: string, real: string, options: RealPathOptions): string {
  if (!isInside(realRoot, real)) {
    if (options.followSymlinks === true) return real;
    throw new PathError(403, 'symlink-outside');
  }
  if (options.showHidden !== true && real !== realRoot) {
    const rel = real.slice(realRoot.length + (realRoot.endsWith(sep) ? 0 : 1));
    for (const part of rel.split(sep)) if (part.charCodeAt(0) === 0x2e) throw new PathError(404, 'hidden');
  }
  return real;
}

/**
 * fsError maps a filesystem failure to the status a client gets: missing or not-a-directory or a link
 * loop -> 404, permission -> 403, anything else -> 500 (not exposed, so no path leaks).
 */
export function fsError(error: unknown): HttpError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ELOOP':
    case 'ENAMETOOLONG':
      return new HttpError(404, undefined, { cause: error, expose: false });
    case 'EACCES':
    case 'EPERM':
      return new HttpError(403, undefined, { cause: error, expose: false });
    default:
      return new HttpError(500, undefined, { cause: error, expose: false });
  }
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
