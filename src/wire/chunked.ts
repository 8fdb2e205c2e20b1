import { WireError, WireErrorCode } from './errors.js';
import { fieldLines } from './serialize.js';
import { HEX, HTAB, SP, TCHAR } from './token.js';

/** At most 16 hex digits (Go's limit), and never past Number.MAX_SAFE_INTEGER. */
const MAX_HEX_DIGITS = 16;

/**
 * parseChunkSizeLine reads `chunk-size [ chunk-ext ]` from b[start, end) (CRLF excluded) per
 * RFC 9112 §7.1 and returns the size. Extensions are validated (name = token, value = token or
 * quoted-string, BWS around `;` and `=`) and ignored, as the RFC allows.
 */
export function parseChunkSizeLine(b: Buffer, start: number, end: number, lineOffset: number): number {
  let i = start;
  let size = 0;
  while (i < end && HEX[b[i]!] !== 255) {
    if (i - start >= MAX_HEX_DIGITS) throw new WireError(WireErrorCode.BAD_CHUNK_SIZE, lineOffset + (i - start));
    size = size * 16 + HEX[b[i]!]!;
    i++;
  }
  if (i === start || !Number.isSafeInteger(size)) throw new WireError(WireErrorCode.BAD_CHUNK_SIZE, lineOffset + (i - start));
  if (i < end) parseExtensions(b, i, end, lineOffset - start);
  return size;
}

/** parseExtensions validates `*( BWS ";" BWS name [ BWS "=" BWS value ] )`. `base` maps index to offset. */
function parseExtensions(b: Buffer, i: number, end: number, base: number): void {
  while (i < end) {
    i = skipBws(b, i, end);
    if (i === end) break; // trailing BWS after the size
    if (b[i] !== 0x3b /* ; */) {
      throw new WireError(WireErrorCode.BAD_CHUNK_SIZE, base + i);
    }
    i = skipBws(b, i + 1, end);
    const nameStart = i;
    while (i < end && TCHAR[b[i]!] === 1) i++;
    if (i === nameStart) throw new WireError(WireErrorCode.BAD_CHUNK_EXTENSION, base + i);
    i = skipBws(b, i, end);
    if (i < end && b[i] === 0x3d /* = */) {
      i = skipBws(b, i + 1, end);
      i = b[i] === 0x22 ? quotedString(b, i, end, base) : token(b, i, end, base);
    }
  }
}

function skipBws(b: Buffer, i: number, end: number): number {
  while (i < end && (b[i] === SP || b[i] === HTAB)) i++;
  return i;
}

function token(b: Buffer, i: number, end: number, base: number): number {
  const start = i;
  while (i < end && TCHAR[b[i]!] === 1) i++;
  if (i === start) throw new WireError(WireErrorCode.BAD_CHUNK_EXTENSION, base + i);
  return i;
}

/** quotedString skips `DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 §5.6.4). */
function quotedString(b: Buffer, i: number, end: number, base: number): number {
  i++;
  while (i < end) {
    const c = b[i]!;
    if (c === 0x22) return i + 1;
    if (c === 0x5c /* \ */) {
      if (i + 1 >= end) break;
      const next = b[i + 1]!;
      if (next !== HTAB && (next < 0x20 || next === 0x7f)) throw new WireError(WireErrorCode.BAD_CHUNK_EXTENSION, base + i + 1);
      i += 2;
      continue;
    }
    if (c !== HTAB && (c < 0x20 || c === 0x7f)) throw new WireError(WireErrorCode.BAD_CHUNK_EXTENSION, base + i);
    i++;
  }
  throw new WireError(WireErrorCode.BAD_CHUNK_EXTENSION, base + end);
}

/** chunkHead returns the chunk-size line for a chunk of `size` bytes: hex digits and CRLF. */
export function chunkHead(size: number): string {
  return `${size.toString(16)}\r\n`;
}

/** CHUNK_TAIL is the CRLF that closes every chunk's data. */
export const CHUNK_TAIL = '\r\n';

/** lastChunk returns the zero-size chunk, the trailer fields (flat name/value list) and the final CRLF. */
export function lastChunk(trailers?: readonly string[]): string {
  if (trailers === undefined || trailers.length === 0) return '0\r\n\r\n';
  return `0\r\n${fieldLines(trailers)}\r\n`;
}
