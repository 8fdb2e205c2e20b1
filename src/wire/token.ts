/**
 * Character classes of RFC 9110 §5.6.2 (tchar) and §5.5 (field-vchar), as lookup tables so that the
 * hot loops test one array element per byte.
 */

/** TCHAR[b] is 1 when byte b may appear in a token (methods, field names, coding names). */
export const TCHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/**
 * FIELD_VALUE[b] is 1 for bytes allowed inside a field value: HTAB, SP, VCHAR and obs-text
 * (0x80-0xFF, kept as latin1). CR, LF, NUL and the other controls are not.
 */
export const FIELD_VALUE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  t[0x09] = 1;
  for (let c = 0x20; c <= 0x7e; c++) t[c] = 1;
  for (let c = 0x80; c <= 0xff; c++) t[c] = 1;
  return t;
})();

/** TARGET[b] is 1 for bytes allowed in a request-target: visible ASCII (RFC 3986 plus lenient %-less chars). */
export const TARGET: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x21; c <= 0x7e; c++) t[c] = 1;
  return t;
})();

/** HEX[b] is the value of hex digit b, or 255. */
export const HEX: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;

/** isToken reports whether `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** isValidHeaderName reports whether `s` may be sent as a field name. */
export const isValidHeaderName = isToken;

/**
 * isValidHeaderValue reports whether `s` may be sent as a field value: no CR, LF, NUL or other
 * controls (which would allow header and response splitting), no characters beyond latin1.
 */
export function isValidHeaderValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] !== 1) return false;
  }
  return true;
}

/**
 * equalsLower reports whether bytes [start, start+lit.length) of `b` equal the lower-case ASCII
 * literal `lit`, ignoring case, without allocating a string.
 */
export function equalsLower(b: Uint8Array, start: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) {
    if ((b[start + i]! | 0x20) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

// Buffer's methods are called through references taken once: node adds so many properties to
// Buffer.prototype that V8 keeps it as a dictionary, and `b.method` in optimized code is then a generic
// property lookup (an IC call) on every use.
const latin1Slice = (Buffer.prototype as unknown as Latin1Slicer).latin1Slice;
const bufferIndexOf = Buffer.prototype.indexOf;

/**
 * latin1 decodes b[start, end) as latin1. It calls Buffer's internal latin1Slice directly, skipping
 * toString's argument normalisation: this runs for every token of every head.
 */
export function latin1(b: Buffer, start: number, end: number): string {
  return latin1Slice.call(b, start, end);
}

/** indexOfByte is `b.indexOf(byte, from)`: the position of the next `byte` at or after `from`, or -1. */
export function indexOfByte(b: Buffer, byte: number, from: number): number {
  return bufferIndexOf.call(b, byte, from);
}

/**
 * equalsIgnoreCase compares two field names case-insensitively (ASCII letters only, as RFC 9110 §5.1
 * means it) without making lower-case copies.
 */
export function equalsIgnoreCase(a: string, b: string): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (a === b) return true;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}
