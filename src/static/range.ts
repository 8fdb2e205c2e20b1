/** ByteRange is an inclusive byte interval `[start, end]` of a representation (RFC 9110 §14.1.2). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * RangeResult is what a Range header asks of a representation of a known size:
 * - `ignore`: no header, a unit other than bytes, invalid syntax, or a request we choose not to honour
 *   (too many ranges, empty representation): answer 200 with the whole content, as RFC 9110 §14.2
 *   allows ("a server MAY ignore the Range header field").
 * - `ranges`: one or more satisfiable ranges, clamped to the size, ascending and non-overlapping.
 * - `unsatisfiable`: valid syntax but no range overlaps the content -> 416 with `Content-Range: bytes *\/SIZE`.
 */
export type RangeResult =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] }
  | { readonly kind: 'unsatisfiable' };

export interface RangeLimits {
  /** More range-specs than this and the header is ignored (200), default 16. */
  readonly maxRanges?: number;
}

export const DEFAULT_MAX_RANGES = 16;
const IGNORE: RangeResult = { kind: 'ignore' };
const UNSATISFIABLE: RangeResult = { kind: 'unsatisfiable' };

/**
 * parseRange reads a Range field value against a representation of `size` bytes.
 *
 * Grammar (RFC 9110 §14.1.1-14.1.2): `range-unit "=" 1#( int-range / suffix-range )` with
 * `int-range = first-pos "-" [ last-pos ]` and `suffix-range = "-" suffix-length`, DIGIT only,
 * OWS around commas and empty list elements allowed (§5.6.1). `last-pos < first-pos` makes the whole
 * field invalid (ignored). A suffix-range of 0 is unsatisfiable.
 *
 * Policy (§14.2 lets a server coalesce or ignore; documented here because it is ours):
 * - more than `maxRanges` specs -> ignore (serve 200): a request for hundreds of tiny ranges is an
 *   amplification attempt, not a download manager;
 * - overlapping or adjacent ranges, or ranges out of order, are sorted and merged, so `bytes=0-,0-,0-`
 *   costs one copy of the file, never many;
 * - an empty representation ignores Range (200 with an empty body), since no byte can be addressed.
 */
export function parseRange(header: string | undefined, size: number, limits: RangeLimits = {}): RangeResult {
  if (header === undefined) return IGNORE;
  const eq = header.indexOf('=');
  if (eq <= 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return IGNORE;
  if (size <= 0) return IGNORE;
  const maxRanges = limits.maxRanges ?? DEFAULT_MAX_RANGES;

  const found: ByteRange[] = [];
  let specs = 0;
  let pos = eq + 1;
  const len = header.length;
  while (pos <= len) {
    let comma = header.indexOf(',', pos);
    if (comma === -1) comma = len;
    const spec = trimOws(header, pos, comma);
    pos = comma + 1;
    if (spec === '') continue; // empty list element, allowed by §5.6.1
    if (++specs > maxRanges) return IGNORE;
    const dash = spec.indexOf('-');
    if (dash === -1) return IGNORE;
    if (dash === 0) {
      const suffix = digits(spec, 1, spec.length);
      if (suffix === undefined) return IGNORE;
      if (suffix > 0) found.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const first = digits(spec, 0, dash);
    if (first === undefined) return IGNORE;
    let last = size - 1;
    if (dash + 1 < spec.length) {
      const l = digits(spec, dash + 1, spec.length);
      if (l === undefined || l < first) return IGNORE;
      last = Math.min(l, size - 1);
    }
    if (first < size) found.push({ start: first, end: last });
  }
  if (specs === 0) return IGNORE;
  if (found.length === 0) return UNSATISFIABLE;
  return { kind: 'ranges', ranges: coalesce(found) };
}

/**
 * coalesce sorts ranges and merges those that overlap or touch. Returns the input when it is already
 * ascending and disjoint (the common case: one range) to avoid allocating.
 */
export function coalesce(ranges: ByteRange[]): ByteRange[] {
  let ordered = true;
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start <= ranges[i - 1]!.end + 1) {
      ordered = false;
      break;
    }
  }
  if (ordered) return ranges;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  let cur = sorted[0]!;
  for (let i = 1; i < sorted.length; i++) {
    const next = sorted[i]!;
    if (next.start <= cur.end + 1) cur = { start: cur.start, end: Math.max(cur.end, next.end) };
    else {
      out.push(cur);
      cur = next;
    }
  }
  out.push(cur);
  return out;
}

/** contentRange formats a Content-Range value for a satisfied range (RFC 9110 §14.4). */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** unsatisfiedRange is the Content-Range value of a 416 (RFC 9110 §15.5.17). */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** rangeLength is the number of bytes a range covers. */
export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}

/**
 * digits parses `s[from, to)` as 1*DIGIT. Returns undefined for no digits or any other character.
 * Values past 2^53 saturate at MAX_SAFE_INTEGER: they are beyond any file, so clamping is exact.
 */
function digits(s: string, from: number, to: number): number | undefined {
  if (from >= to) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n;
}

/** trimOws returns `s[from, to)` without surrounding SP / HTAB (OWS, RFC 9110 §5.6.3). */
function trimOws(s: string, from: number, to: number): string {
  while (from < to && (s.charCodeAt(from) === 0x20 || s.charCodeAt(from) === 0x09)) from++;
  while (to > from && (s.charCodeAt(to - 1) === 0x20 || s.charCodeAt(to - 1) === 0x09)) to--;
  return s.slice(from, to);
}
