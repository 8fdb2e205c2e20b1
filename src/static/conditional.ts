import type { HeaderList } from '../wire/headers.js';

/**
 * Validators of the selected representation: a strong entity tag (quoted, e.g. `"1f-18c1a2b3"`) and
 * the modification time in whole seconds since the epoch (HTTP-dates have one-second resolution).
 */
export interface Validators {
  readonly etag: string;
  readonly lastModifiedSec: number;
}

/**
 * Precondition is the outcome of RFC 9110 §13.2.2:
 * - `proceed`: answer normally (200, or 206 when a Range applies);
 * - `not-modified`: 304 (only for GET and HEAD);
 * - `precondition-failed`: 412.
 */
export type Precondition = 'proceed' | 'not-modified' | 'precondition-failed';

/** EntityTag is one parsed tag: its opaque value including quotes, and whether it was `W/`. */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** EtagList is `*` or a list of tags; `undefined` from the parser means the field was malformed. */
export type EtagList = '*' | readonly EntityTag[];

/**
 * makeEtag builds a strong entity tag from size and mtime (ms), both in hex, optionally suffixed for a
 * content-coded variant: a gzip body is a different representation, so its strong tag must differ
 * (RFC 9110 §8.8.3.3).
 */
export function makeEtag(size: number, mtimeMs: number, coding?: string): string {
  const base = `${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}`;
  return coding === undefined || coding === 'identity' ? `"${base}"` : `"${base}-${coding}"`;
}

/**
 * parseEtagList parses If-Match / If-None-Match (RFC 9110 §8.8.3: `"*" / 1#entity-tag`). Commas may
 * appear inside quoted opaque tags, so this scans rather than splits. Returns undefined when the value
 * is not valid; callers then treat the condition as absent, except If-Match, which fails closed.
 */
export function parseEtagList(value: string): EtagList | undefined {
  const v = value.trim();
  if (v === '*') return '*';
  const out: EntityTag[] = [];
  let i = 0;
  while (i < v.length) {
    const c = v.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x2c) {
      i++;
      continue;
    }
    let weak = false;
    if (c === 0x57 && v.charCodeAt(i + 1) === 0x2f) {
      weak = true;
      i += 2;
    }
    if (v.charCodeAt(i) !== 0x22) return undefined;
    const close = v.indexOf('"', i + 1);
    if (close === -1) return undefined;
    out.push({ weak, opaque: v.slice(i, close + 1) });
    i = close + 1;
    // after a tag only OWS then a comma or the end may follow
    while (i < v.length && (v.charCodeAt(i) === 0x20 || v.charCodeAt(i) === 0x09)) i++;
    if (i < v.length && v.charCodeAt(i) !== 0x2c) return undefined;
  }
  return out.length === 0 ? undefined : out;
}

/**
 * parseHttpDate reads an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms, which Date.parse accepts) and returns seconds since the epoch, or undefined when invalid.
 */
export function parseHttpDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * evaluatePreconditions applies the conditional request fields in the order of RFC 9110 §13.2.2:
 * If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since (GET/HEAD only).
 * `exists` is false when the target has no current representation (e.g. a PUT creating a file).
 * If-Range is not handled here: see `ifRangeAllows`, consulted only when a Range is present.
 */
export function evaluatePreconditions(method: string, headers: HeaderList, validators: Validators | undefined): Precondition {
  const safe = method === 'GET' || method === 'HEAD';
  const ifMatch = headers.getAll('if-match');
  if (ifMatch.length > 0) {
    // §13.1.1: strong comparison; a malformed field cannot match anything (fail closed).
    const list = parseEtagList(ifMatch.join(', '));
    if (list === undefined || !matches(list, validators, 'strong')) return 'precondition-failed';
  } else {
    const ius = headers.get('if-unmodified-since');
    const date = ius === undefined ? undefined : parseHttpDate(ius);
    // §13.1.4: an invalid date is ignored; without a Last-Modified the condition cannot hold.
    if (date !== undefined && (validators === undefined || validators.lastModifiedSec > date)) return 'precondition-failed';
  }

  const ifNoneMatch = headers.getAll('if-none-match');
  if (ifNoneMatch.length > 0) {
    const list = parseEtagList(ifNoneMatch.join(', '));
    // §13.1.2: weak comparison; the condition is false when a tag matches.
    if (list !== undefined && matches(list, validators, 'weak')) return safe ? 'not-modified' : 'precondition-failed';
  } else if (safe && validators !== undefined) {
    const ims = headers.get('if-modified-since');
    const date = ims === undefined ? undefined : parseHttpDate(ims);
    if (date !== undefined && validators.lastModifiedSec <= date) return 'not-modified';
  }
  return 'proceed';
}

/**
 * ifRangeAllows reports whether a Range may be honoured given If-Range (RFC 9110 §13.1.5): true when
 * the field is absent; with an entity tag, true only on a strong match (a weak tag never matches);
 * with a date, true only when it equals Last-Modified exactly. Anything else: serve the whole content.
 */
export function ifRangeAllows(headers: HeaderList, validators: Validators): boolean {
  const value = headers.get('if-range');
  if (value === undefined) return true;
  const v = value.trim();
  if (v.startsWith('"') || v.startsWith('W/')) {
    const list = parseEtagList(v);
    return list !== undefined && list !== '*' && list.length === 1 && !list[0]!.weak && list[0]!.opaque === validators.etag;
  }
  const date = parseHttpDate(v);
  return date !== undefined && date === validators.lastModifiedSec;
}

/**
 * matches compares a parsed list against the current tag. `*` matches any existing representation.
 * Strong comparison needs both tags strong and equal; weak compares opaque values only (§8.8.3.2).
 */
function matches(list: EtagList, validators: Validators | undefined, mode: 'strong' | 'weak'): boolean {
  if (validators === undefined) return false;
  if (list === '*') return true;
  const current = validators.etag;
  const currentWeak = current.startsWith('W/');
  const currentOpaque = currentWeak ? current.slice(2) : current;
  for (const tag of list) {
    if (tag.opaque !== currentOpaque) continue;
    if (mode === 'weak' || (!tag.weak && !currentWeak)) return true;
  }
  return false;
}
