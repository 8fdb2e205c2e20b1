import { WireError, WireErrorCode } from './errors.js';
import { HeaderList } from './headers.js';
import { resolveLimits, type Limits } from './limits.js';
import type { BodyFraming, MessageSink, ResponseHead } from './message.js';
import { MessageParser, type HeadDecision } from './message-parser.js';
import { parseVersion } from './request-parser.js';
import { FIELD_VALUE, latin1, SP } from './token.js';

export interface ResponseParserOptions {
  limits?: Partial<Limits>;
  /** Accept bare LF line ends in heads. Default true: a client should read what servers send, as curl does. */
  allowBareLf?: boolean;
}

const NO_BODY: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const CLOSE: BodyFraming = Object.freeze({ kind: 'close' });

/**
 * ResponseParser is the client's incremental HTTP/1.1 response parser (RFC 9112 §4, §6.3). Call
 * `expect(method)` once per request sent, in order: the method decides whether a response has a body
 * (HEAD never does; a 2xx to CONNECT starts a tunnel and pauses the parser). 1xx responses are
 * delivered as head + end and do not use up an expected method; 101 pauses the parser.
 * Obsolete line folding in responses is replaced by a space (RFC 9112 §5.2).
 */
export class ResponseParser extends MessageParser<ResponseHead> {
  protected readonly startLineTooLong = WireErrorCode.BAD_START_LINE;
  private readonly methods: string[] = [];
  private status = 0;
  private reason = '';
  private versionMinor: 0 | 1 = 1;

  constructor(sink: MessageSink<ResponseHead>, options: ResponseParserOptions = {}) {
    super(sink, resolveLimits(options.limits), options.allowBareLf ?? true, 'join');
  }

  /** expect records the method of a request sent on this connection, in order. */
  expect(method: string): void {
    this.methods.push(method);
  }

  /** status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4). */
  protected parseStartLine(b: Buffer, start: number, end: number, offset: number): void {
    if (end - start < 12 || b[start + 8] !== SP) {
      if (end - start >= 8) parseVersion(b, start, start + 8, offset);
      throw new WireError(WireErrorCode.BAD_START_LINE, offset);
    }
    this.versionMinor = parseVersion(b, start, start + 8, offset);
    let status = 0;
    for (let i = start + 9; i < start + 12; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) throw new WireError(WireErrorCode.BAD_STATUS, offset + (i - start));
      status = status * 10 + d;
    }
    if (status < 100) throw new WireError(WireErrorCode.BAD_STATUS, offset + 9);
    let reasonStart = start + 12;
    if (reasonStart < end) {
      if (b[reasonStart] !== SP) throw new WireError(WireErrorCode.BAD_STATUS, offset + 12);
      reasonStart++;
    }
    for (let i = reasonStart; i < end; i++) {
      if (FIELD_VALUE[b[i]!] !== 1) throw new WireError(WireErrorCode.BAD_START_LINE, offset + (i - start));
    }
    this.status = status;
    this.reason = reasonStart < end ? latin1(b, reasonStart, end) : '';
  }

  protected endHead(offset: number, headBytes: number, endOffset: number): HeadDecision<ResponseHead> {
    const f = this.facts;
    const status = this.status;
    let framing: BodyFraming;
    let pauseAfter = false;
    if (status < 200) {
      framing = NO_BODY;
      pauseAfter = status === 101;
    } else {
      const method = this.methods.shift() ?? 'GET';
      if (method === 'CONNECT' && status < 300) {
        framing = NO_BODY;
        pauseAfter = true;
      } else if (method === 'HEAD' || status === 204 || status === 304) {
        framing = NO_BODY;
      } else if (f.hasTransferEncoding) {
        // TE overrides CL in a response (RFC 9112 §6.3 item 3); a final coding other than chunked
        // means the body runs to the close (item 4).
        framing = f.codings[f.codings.length - 1] === 'chunked' ? CHUNKED : CLOSE;
      } else if (f.contentLength > 0) {
        framing = { kind: 'length', length: f.contentLength };
      } else if (f.contentLength === 0) {
        framing = NO_BODY;
      } else {
        framing = CLOSE;
      }
    }
    const persistent = this.versionMinor === 1 ? !f.connectionClose : f.connectionKeepAlive && !f.connectionClose;
    const head: ResponseHead = {
      status,
      reason: this.reason,
      versionMinor: this.versionMinor,
      headers: new HeaderList(this.raw),
      framing,
      keepAlive: persistent && framing.kind !== 'close',
      headBytes,
      offset,
    };
    void endOffset;
    return { head, framing, pauseAfter };
  }
}
