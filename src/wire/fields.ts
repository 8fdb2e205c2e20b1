import { WireError, WireErrorCode } from './errors.js';
import { CR, equalsLower, FIELD_VALUE, HTAB, latin1, SP, TCHAR } from './token.js';

/**
 * FramingFacts collects, while field lines are parsed, what the end of the head needs to decide
 * framing and persistence (RFC 9112 §6.3, §9.3), so no second pass over the headers is needed.
 */
export interface FramingFacts {
  hostCount: number;
  /** Content-Length value, -1 when absent. */
  contentLength: number;
  /** Transfer codings in order (lower-case), empty when absent. */
  codings: string[];
  hasTransferEncoding: boolean;
  connectionClose: boolean;
  connectionKeepAlive: boolean;
  connectionUpgrade: boolean;
  hasUpgrade: boolean;
  hasExpect: boolean;
  expectContinue: boolean;
}

export function newFacts(): FramingFacts {
  return {
    hostCount: 0,
    contentLength: -1,
    codings: [],
    hasTransferEncoding: false,
    connectionClose: false,
    connectionKeepAlive: false,
    connectionUpgrade: false,
    hasUpgrade: false,
    hasExpect: false,
    expectContinue: false,
  };
}

/**
 * resetFacts clears `facts` for the next message in place: a new object per message was ~130 bytes
 * of garbage per request. Nothing keeps a reference past the end of a head (endHead reads it there).
 */
export function resetFacts(facts: FramingFacts): void {
  facts.hostCount = 0;
  facts.contentLength = -1;
  if (facts.codings.length > 0) facts.codings = [];
  facts.hasTransferEncoding = false;
  facts.connectionClose = false;
  facts.connectionKeepAlive = false;
  facts.connectionUpgrade = false;
  facts.hasUpgrade = false;
  facts.hasExpect = false;
  facts.expectContinue = false;
}

/** What to do with a line that starts with whitespace (obs-fold, RFC 9112 §5.2). */
export type FoldPolicy = 'reject' | 'join';

/**
 * parseFieldLine parses `name ":" OWS value OWS` from b[start, end) (CRLF excluded) and appends the
 * name and value to `raw`. `lineOffset` is the stream offset of b[start], used for error offsets.
 * Names keep their case; values are trimmed of OWS and decoded as latin1.
 */
export function parseFieldLine(
  b: Buffer,
  start: number,
  end: number,
  lineOffset: number,
  raw: string[],
  facts: FramingFacts | undefined,
  fold: FoldPolicy,
): void {
  const first = b[start]!;
  if (first === SP || first === HTAB) {
    if (fold === 'join' && raw.length > 0) {
      const extra = trimmedValue(b, start, end, lineOffset);
      if (extra !== '') raw[raw.length - 1] = `${raw[raw.length - 1]} ${extra}`;
      return;
    }
    throw new WireError(WireErrorCode.OBS_FOLD, lineOffset);
  }
  let i = start;
  while (i < end && TCHAR[b[i]!] === 1) i++;
  if (i === start || i === end || b[i] !== 0x3a /* : */) {
    // Whitespace before the colon is a smuggling vector (RFC 9112 §5.1): reject, never trim.
    throw new WireError(WireErrorCode.BAD_HEADER_NAME, lineOffset + (i - start));
  }
  const nameLength = i - start;
  const name = commonName(b, start, nameLength) ?? latin1(b, start, i);
  const value = trimmedValue(b, i + 1, end, lineOffset + (i + 1 - start));
  raw.push(name, value);
  if (facts !== undefined) noteFraming(b, start, nameLength, value, facts, lineOffset);
}

/**
 * Field names that nearly every request carries, in the case browsers and tools send them: returned
 * as shared constants instead of a new string per message. Any other spelling is decoded as sent.
 */
const COMMON_NAMES: ReadonlyArray<readonly string[]> = (() => {
  const names = ['Host', 'host', 'Accept', 'accept', 'Connection', 'connection', 'User-Agent', 'user-agent', 'Content-Length',
    'content-length', 'Content-Type', 'content-type', 'Accept-Encoding', 'accept-encoding', 'Accept-Language', 'Cookie', 'cookie'];
  const byLength: string[][] = [];
  for (const n of names) (byLength[n.length] ??= []).push(n);
  return byLength;
})();

function commonName(b: Buffer, start: number, length: number): string | undefined {
  const candidates = COMMON_NAMES[length];
  if (candidates === undefined) return undefined;
  outer: for (const candidate of candidates) {
    for (let i = 0; i < length; i++) if (b[start + i] !== candidate.charCodeAt(i)) continue outer;
    return candidate;
  }
  return undefined;
}

/** trimmedValue validates b[start, end) as a field value and returns it without surrounding OWS. */
function trimmedValue(b: Buffer, start: number, end: number, offset: number): string {
  let s = start;
  while (s < end && (b[s] === SP || b[s] === HTAB)) s++;
  let e = end;
  while (e > s && (b[e - 1] === SP || b[e - 1] === HTAB)) e--;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (FIELD_VALUE[c] !== 1) {
      throw new WireError(c === CR ? WireErrorCode.BARE_CR : WireErrorCode.BAD_HEADER_VALUE, offset + (i - start));
    }
  }
  return s === e ? '' : latin1(b, s, e);
}

/** noteFraming records the fields that decide framing and persistence, matched without allocating. */
function noteFraming(b: Buffer, start: number, length: number, value: string, facts: FramingFacts, offset: number): void {
  switch (length) {
    case 4:
      if (equalsLower(b, start, 'host')) facts.hostCount++;
      return;
    case 6:
      if (equalsLower(b, start, 'expect')) {
        facts.hasExpect = true;
        if (value.toLowerCase() === '100-continue') facts.expectContinue = true;
      }
      return;
    case 7:
      if (equalsLower(b, start, 'upgrade')) facts.hasUpgrade = true;
      return;
    case 10:
      if (equalsLower(b, start, 'connection')) noteConnection(value, facts);
      return;
    case 14:
      if (equalsLower(b, start, 'content-length')) noteContentLength(value, facts, offset);
      return;
    case 17:
      if (equalsLower(b, start, 'transfer-encoding')) {
        facts.hasTransferEncoding = true;
        for (const coding of listItems(value)) facts.codings.push(coding);
      }
      return;
  }
}

/**
 * noteContentLength accepts `1*DIGIT`, and a list or repeated fields only when every member is the
 * same number (RFC 9112 §6.3 item 5 allows that); anything else is a smuggling risk and fails.
 */
function noteContentLength(value: string, facts: FramingFacts, offset: number): void {
  for (const item of value.split(',')) {
    const text = item.trim();
    if (text === '' || text.length > 16) throw new WireError(WireErrorCode.BAD_CONTENT_LENGTH, offset);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) throw new WireError(WireErrorCode.BAD_CONTENT_LENGTH, offset);
      n = n * 10 + d;
    }
    if (!Number.isSafeInteger(n)) throw new WireError(WireErrorCode.BAD_CONTENT_LENGTH, offset);
    if (facts.contentLength !== -1 && facts.contentLength !== n) throw new WireError(WireErrorCode.BAD_CONTENT_LENGTH, offset);
    facts.contentLength = n;
  }
}

/** noteConnection records the Connection options that matter to framing and persistence. */
function noteConnection(value: string, facts: FramingFacts): void {
  // One token as clients usually spell it: no list to split (that was ~200 bytes per request).
  if (value === 'close' || value === 'Close') {
    facts.connectionClose = true;
    return;
  }
  if (value === 'keep-alive' || value === 'Keep-Alive') {
    facts.connectionKeepAlive = true;
    return;
  }
  for (const token of listItems(value)) {
    if (token === 'close') facts.connectionClose = true;
    else if (token === 'keep-alive') facts.connectionKeepAlive = true;
    else if (token === 'upgrade') facts.connectionUpgrade = true;
  }
}

/** listItems splits a comma list into lower-case, trimmed, non-empty items (RFC 9110 §5.6.1). */
function listItems(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (item !== '') out.push(item.toLowerCase());
  }
  return out;
}
