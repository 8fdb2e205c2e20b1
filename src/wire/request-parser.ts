import { WireError, WireErrorCode } from './errors.js';
import { HeaderList } from './headers.js';
import { resolveLimits, type Limits } from './limits.js';
import type { BodyFraming, MessageSink, RequestHead, TargetForm } from './message.js';
import { MessageParser, type HeadDecision } from './message-parser.js';
import { latin1, SP, TARGET, TCHAR } from './token.js';

export interface RequestParserOptions {
  limits?: Partial<Limits>;
  /**
   * Accept a bare LF as a line terminator in the head (RFC 9112 §2.2 MAY). Default false: a bare LF
   * is rejected with BARE_LF, because parsers that disagree on line ends are a smuggling vector.
   * Chunk data must always end with CRLF.
   */
  allowBareLf?: boolean;
}

const NO_BODY: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });

/**
 * RequestParser is the server's incremental HTTP/1.1 request parser (RFC 9112). Feed it bytes in any
 * split; it calls the sink synchronously: onHead, onBody (zero-copy views of the fed Buffer),
 * onTrailers, onEnd. It is strict where leniency enables request smuggling, and after a WireError it
 * stays failed: every later feed() throws the same error.
 *
 * feed() returns the bytes consumed: all of them, unless pause() was called from a callback or a
 * message with `upgrade` completed (the parser pauses itself: the rest belongs to the new protocol).
 */
export class RequestParser extends MessageParser<RequestHead> {
  protected readonly startLineTooLong = WireErrorCode.START_LINE_TOO_LONG;
  private method = '';
  private target = '';
  private targetForm: TargetForm = 'origin';
  private versionMinor: 0 | 1 = 1;

  constructor(sink: MessageSink<RequestHead>, options: RequestParserOptions = {}) {
    super(sink, resolveLimits(options.limits), options.allowBareLf ?? false, 'reject');
  }

  /** request-line = method SP request-target SP HTTP-version (RFC 9112 §3), exactly one SP each. */
  protected parseStartLine(b: Buffer, start: number, end: number, offset: number): void {
    let i = start;
    while (i < end && TCHAR[b[i]!] === 1) i++;
    if (i === start || i === end) throw new WireError(WireErrorCode.BAD_START_LINE, offset + (i - start));
    if (b[i] !== SP) throw new WireError(WireErrorCode.BAD_METHOD, offset + (i - start));
    this.method = methodName(b, start, i);
    const targetStart = ++i;
    while (i < end && TARGET[b[i]!] === 1) i++;
    if (i === targetStart) throw new WireError(WireErrorCode.BAD_START_LINE, offset + (i - start));
    if (i === end || b[i] !== SP) {
      // A control byte, non-ASCII byte, or a missing version after the target.
      throw new WireError(i === end ? WireErrorCode.BAD_START_LINE : WireErrorCode.BAD_TARGET, offset + (i - start));
    }
    this.target = latin1(b, targetStart, i);
    this.targetForm = targetFormOf(this.method, this.target, offset + (targetStart - start));
    this.versionMinor = parseVersion(b, i + 1, end, offset + (i + 1 - start));
  }

  protected endHead(offset: number, headBytes: number, endOffset: number): HeadDecision<RequestHead> {
    const f = this.facts;
    const v11 = this.versionMinor === 1;
    if (v11 && f.hostCount === 0) throw new WireError(WireErrorCode.MISSING_HOST, endOffset);
    if (f.hostCount > 1) throw new WireError(WireErrorCode.DUPLICATE_HOST, endOffset);
    let framing = NO_BODY;
    if (f.hasTransferEncoding) {
      // RFC 9112 §6.1: TE in a 1.0 request, TE with CL, or a final coding other than chunked cannot
      // be framed reliably by every hop: reject rather than guess (§6.3 items 3 and 4).
      if (!v11) throw new WireError(WireErrorCode.BAD_TRANSFER_ENCODING, endOffset);
      if (f.contentLength !== -1) throw new WireError(WireErrorCode.TE_AND_CL, endOffset);
      framing = requestCodings(f.codings, endOffset);
    } else if (f.contentLength > 0) {
      framing = { kind: 'length', length: f.contentLength };
    }
    const upgrade = this.method === 'CONNECT' || (f.connectionUpgrade && f.hasUpgrade);
    const head: RequestHead = {
      method: this.method,
      target: this.target,
      targetForm: this.targetForm,
      versionMinor: this.versionMinor,
      headers: new HeaderList(this.raw),
      framing,
      keepAlive: v11 ? !f.connectionClose : f.connectionKeepAlive && !f.connectionClose,
      expectContinue: v11 && f.expectContinue,
      upgrade,
      headBytes,
      offset,
    };
    return { head, framing, pauseAfter: upgrade };
  }
}

/** requestCodings accepts exactly one `chunked`, last; other codings are not implemented (501). */
function requestCodings(codings: readonly string[], offset: number): BodyFraming {
  const last = codings.length - 1;
  for (let i = 0; i < codings.length; i++) {
    const coding = codings[i]!;
    if (coding === 'chunked') {
      if (i !== last) throw new WireError(WireErrorCode.BAD_TRANSFER_ENCODING, offset);
    } else if (i === last) {
      throw new WireError(WireErrorCode.BAD_TRANSFER_ENCODING, offset);
    } else {
      throw new WireError(WireErrorCode.UNSUPPORTED_TRANSFER_CODING, offset);
    }
  }
  if (codings.length === 0) throw new WireError(WireErrorCode.BAD_TRANSFER_ENCODING, offset);
  return CHUNKED;
}

/** methodName returns common methods as constant strings, others decoded once. */
function methodName(b: Buffer, start: number, end: number): string {
  const n = end - start;
  const c = b[start];
  if (n === 3 && c === 0x47 && b[start + 1] === 0x45 && b[start + 2] === 0x54) return 'GET';
  if (n === 4 && c === 0x48 && b[start + 1] === 0x45 && b[start + 2] === 0x41 && b[start + 3] === 0x44) return 'HEAD';
  if (n === 4 && c === 0x50 && b[start + 1] === 0x4f && b[start + 2] === 0x53 && b[start + 3] === 0x54) return 'POST';
  return latin1(b, start, end);
}

/** targetFormOf classifies the request-target (RFC 9112 §3.2) and checks it suits the method. */
function targetFormOf(method: string, target: string, offset: number): TargetForm {
  const first = target.charCodeAt(0);
  if (method === 'CONNECT') {
    // authority-form: host ":" port, nothing else.
    const colon = target.lastIndexOf(':');
    const port = target.slice(colon + 1);
    if (colon <= 0 || port === '' || !/^\d{1,5}$/.test(port) || /[/?#@]/.test(target)) {
      throw new WireError(WireErrorCode.BAD_TARGET, offset);
    }
    return 'authority';
  }
  if (first === 0x2f /* / */) return 'origin';
  if (target === '*') {
    if (method !== 'OPTIONS') throw new WireError(WireErrorCode.BAD_TARGET, offset);
    return 'asterisk';
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(target)) return 'absolute';
  throw new WireError(WireErrorCode.BAD_TARGET, offset);
}

/** parseVersion reads `HTTP/DIGIT.DIGIT` filling the rest of the line; 1.0 and 1.1 are supported. */
export function parseVersion(b: Buffer, start: number, end: number, offset: number): 0 | 1 {
  if (
    end - start !== 8 ||
    b[start] !== 0x48 || b[start + 1] !== 0x54 || b[start + 2] !== 0x54 || b[start + 3] !== 0x50 ||
    b[start + 4] !== 0x2f || b[start + 6] !== 0x2e ||
    !isDigit(b[start + 5]!) || !isDigit(b[start + 7]!)
  ) {
    throw new WireError(WireErrorCode.BAD_VERSION, offset);
  }
  if (b[start + 5] === 0x31 && b[start + 7] === 0x31) return 1;
  if (b[start + 5] === 0x31 && b[start + 7] === 0x30) return 0;
  throw new WireError(WireErrorCode.UNSUPPORTED_VERSION, offset);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
