import { parseChunkSizeLine } from './chunked.js';
import { WireError, WireErrorCode } from './errors.js';
import { HeaderList } from './headers.js';
import { parseFieldLine, newFacts, resetFacts, type FoldPolicy, type FramingFacts } from './fields.js';
import type { Limits } from './limits.js';
import type { BodyFraming, MessageSink } from './message.js';
import { CR, indexOfByte, LF } from './token.js';

/** The parser's position in the grammar of one message (RFC 9112 §2.1). */
const Phase = {
  START_LINE: 0,
  FIELDS: 1,
  BODY_LENGTH: 2,
  BODY_CLOSE: 3,
  CHUNK_SIZE: 4,
  CHUNK_DATA: 5,
  CHUNK_CR: 6,
  CHUNK_LF: 7,
  TRAILERS: 8,
  FAILED: 9,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** What a subclass decides at the end of a head: the head to emit and how its body is framed. */
export interface HeadDecision<Head> {
  head: Head;
  framing: BodyFraming;
  /** Pause once this message is complete (protocol switch or tunnel). */
  pauseAfter: boolean;
}

/**
 * MessageParser is the shared engine of the request and response parsers: it assembles lines
 * (copying only a line that straddles two chunks), tracks stream offsets, enforces limits in scan
 * order (so any split of the input gives the same result and the same error offset), and frames the
 * body (Content-Length, chunked with trailers, or until close). Subclasses parse the start line and
 * decide framing from the collected FramingFacts.
 */
export abstract class MessageParser<Head> {
  protected sink: MessageSink<Head>;
  protected readonly limits: Limits;
  private readonly allowBareLf: boolean;
  private readonly fold: FoldPolicy;
  private phase: Phase = Phase.START_LINE;
  private isPaused = false;
  private failure: WireError | undefined;
  /** Stream offset of byte 0 of the chunk being fed. */
  private base = 0;
  /** Bytes of a line that started in an earlier chunk (grown on demand, reused). */
  private carry: Buffer | undefined;
  private carryLength = 0;
  /** Stream offset where the current line starts. */
  private lineOffset = 0;
  /** Stream offset where the current message starts, and where its field section starts. */
  private messageOffset = 0;
  private fieldsOffset = 0;
  private fieldCount = 0;
  protected raw: string[] = [];
  protected facts: FramingFacts = newFacts();
  private bodyRemaining = 0;
  private bodyReceived = 0;
  private trailerRaw: string[] | undefined;
  private pauseAfter = false;

  constructor(sink: MessageSink<Head>, limits: Limits, allowBareLf: boolean, fold: FoldPolicy) {
    this.sink = sink;
    this.limits = limits;
    this.allowBareLf = allowBareLf;
    this.fold = fold;
  }

  /** parseStartLine reads b[start, end) (no CRLF); `offset` is the stream offset of b[start]. */
  protected abstract parseStartLine(b: Buffer, start: number, end: number, offset: number): void;
  /** endHead builds the head once the empty line arrived; `offset` is where the message started. */
  protected abstract endHead(offset: number, headBytes: number, endOffset: number): HeadDecision<Head>;
  /** startLineTooLong is the error code for an over-long start line (414 for requests). */
  protected abstract readonly startLineTooLong: WireErrorCode;

  /**
   * rebind points an idle parser at another sink, so a server can keep a small pool of parsers for
   * all its connections instead of one per idle connection. Only valid while `idle` and not failed.
   */
  rebind(sink: MessageSink<Head>): void {
    if (!this.reusable) throw new Error('rebind needs an idle parser');
    this.sink = sink;
    this.base = 0;
    this.isPaused = false;
  }

  get paused(): boolean {
    return this.isPaused;
  }
  get offset(): number {
    return this.base;
  }
  /** True between messages with nothing of the next one received. */
  get idle(): boolean {
    return this.phase === Phase.START_LINE && this.carryLength === 0;
  }
  /** True when rebind() may hand this parser to another connection: idle and never failed. */
  get reusable(): boolean {
    return this.idle && this.failure === undefined;
  }
  get inHead(): boolean {
    return (this.phase === Phase.START_LINE && this.carryLength > 0) || this.phase === Phase.FIELDS;
  }
  get inBody(): boolean {
    return this.phase >= Phase.BODY_LENGTH && this.phase <= Phase.TRAILERS;
  }

  pause(): void {
    this.isPaused = true;
  }
  resume(): void {
    this.isPaused = false;
  }

  /** feed parses `chunk` and returns how many of its bytes were consumed (see RequestParser). */
  feed(chunk: Buffer): number {
    if (this.failure !== undefined) throw this.failure;
    let pos = 0;
    try {
      while (pos < chunk.length && !this.isPaused) pos = this.step(chunk, pos);
    } catch (error) {
      if (error instanceof WireError) {
        this.phase = Phase.FAILED;
        this.failure = error;
      }
      throw error;
    } finally {
      this.base += pos;
    }
    return pos;
  }

  /** finish tells the parser the stream ended: completes a close-delimited body or fails. */
  finish(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.phase === Phase.BODY_CLOSE) {
      this.complete();
      return;
    }
    if (this.idle) return;
    this.phase = Phase.FAILED;
    this.failure = new WireError(WireErrorCode.INCOMPLETE_MESSAGE, this.base);
    throw this.failure;
  }

  /** step consumes one unit (a line or a run of body bytes) and returns the new position. */
  private step(b: Buffer, pos: number): number {
    switch (this.phase) {
      case Phase.START_LINE:
      case Phase.FIELDS:
      case Phase.CHUNK_SIZE:
      case Phase.TRAILERS:
        return this.line(b, pos);
      case Phase.BODY_LENGTH: {
        const take = Math.min(this.bodyRemaining, b.length - pos);
        this.bodyRemaining -= take;
        if (this.bodyRemaining === 0) this.phase = Phase.START_LINE;
        this.sink.onBody(b.subarray(pos, pos + take));
        if (this.bodyRemaining === 0) this.complete();
        return pos + take;
      }
      case Phase.BODY_CLOSE:
        this.sink.onBody(pos === 0 ? b : b.subarray(pos));
        return b.length;
      case Phase.CHUNK_DATA: {
        const take = Math.min(this.bodyRemaining, b.length - pos);
        this.bodyRemaining -= take;
        if (this.bodyRemaining === 0) this.phase = Phase.CHUNK_CR;
        this.sink.onBody(b.subarray(pos, pos + take));
        return pos + take;
      }
      case Phase.CHUNK_CR:
        if (b[pos] !== CR) throw new WireError(WireErrorCode.BAD_CHUNK_DATA, this.base + pos);
        this.phase = Phase.CHUNK_LF;
        return pos + 1;
      case Phase.CHUNK_LF:
        if (b[pos] !== LF) throw new WireError(WireErrorCode.BAD_CHUNK_DATA, this.base + pos);
        this.phase = Phase.CHUNK_SIZE;
        return pos + 1;
      default:
        throw this.failure ?? new WireError(WireErrorCode.INCOMPLETE_MESSAGE, this.base + pos);
    }
  }

  /** line finds the next LF; a complete line is handled, an incomplete one is carried over. */
  private line(b: Buffer, pos: number): number {
    if (this.carryLength === 0) this.lineOffset = this.base + pos;
    const lf = indexOfByte(b, LF, pos);
    const available = (lf === -1 ? b.length : lf) - pos;
    this.checkLineLength(this.carryLength + available);
    if (lf === -1) {
      this.carryBytes(b, pos, b.length);
      return b.length;
    }
    let lineBuf = b;
    let start = pos;
    let end = lf;
    if (this.carryLength > 0) {
      this.carryBytes(b, pos, lf);
      lineBuf = this.carry!;
      start = 0;
      end = this.carryLength;
      this.carryLength = 0;
    }
    if (end > start && lineBuf[end - 1] === CR) {
      end--;
    } else if (!this.allowBareLf && !(end === start && this.phase === Phase.START_LINE)) {
      // A lone LF before a request-line is an empty line to skip (as llhttp does); anywhere else a
      // bare LF could frame the message differently for another parser, so it is refused.
      throw new WireError(WireErrorCode.BARE_LF, this.lineOffset + (end - start));
    }
    const next = lf + 1;
    const endOffset = this.base + next;
    this.handleLine(lineBuf, start, end, endOffset);
    return next;
  }

  /** checkLineLength applies the limit of the current line kind at a split-independent offset. */
  private checkLineLength(length: number): void {
    // `length` may include the line's CR, so one byte more than the limit is allowed before failing;
    // a complete and an incomplete line then fail at the same byte, however the input was split.
    const lengthWithoutCrlf = length - 1;
    switch (this.phase) {
      case Phase.START_LINE:
        if (lengthWithoutCrlf > this.limits.maxStartLine) throw new WireError(this.startLineTooLong, this.lineOffset + this.limits.maxStartLine);
        break;
      case Phase.FIELDS:
      case Phase.TRAILERS:
        if (this.lineOffset - this.fieldsOffset + length > this.limits.maxHeadBytes) {
          throw new WireError(WireErrorCode.HEAD_TOO_LARGE, this.fieldsOffset + this.limits.maxHeadBytes);
        }
        break;
      case Phase.CHUNK_SIZE:
        if (lengthWithoutCrlf > this.limits.maxChunkLine) throw new WireError(WireErrorCode.BAD_CHUNK_SIZE, this.lineOffset + this.limits.maxChunkLine);
        break;
    }
  }

  private carryBytes(b: Buffer, from: number, to: number): void {
    const needed = this.carryLength + (to - from);
    if (this.carry === undefined || this.carry.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(256, needed * 2));
      if (this.carry !== undefined) this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    b.copy(this.carry, this.carryLength, from, to);
    this.carryLength = needed;
  }

  private handleLine(b: Buffer, start: number, end: number, endOffset: number): void {
    const offset = this.lineOffset;
    switch (this.phase) {
      case Phase.START_LINE:
        if (end === start) return; // empty lines before a message are ignored (RFC 9112 §2.2)
        this.messageOffset = offset;
        this.parseStartLine(b, start, end, offset);
        this.phase = Phase.FIELDS;
        this.fieldsOffset = endOffset;
        return;
      case Phase.FIELDS:
        if (end === start) {
          this.headDone(endOffset);
          return;
        }
        if (++this.fieldCount > this.limits.maxHeaderCount) throw new WireError(WireErrorCode.TOO_MANY_HEADERS, offset);
        parseFieldLine(b, start, end, offset, this.raw, this.facts, this.fold);
        return;
      case Phase.CHUNK_SIZE: {
        const size = parseChunkSizeLine(b, start, end, offset);
        if (size === 0) {
          this.phase = Phase.TRAILERS;
          this.fieldsOffset = endOffset;
          this.fieldCount = 0;
          return;
        }
        this.bodyReceived += size;
        if (this.bodyReceived > this.limits.maxBodyBytes) throw new WireError(WireErrorCode.BODY_TOO_LARGE, offset);
        this.bodyRemaining = size;
        this.phase = Phase.CHUNK_DATA;
        return;
      }
      case Phase.TRAILERS:
        if (end === start) {
          if (this.trailerRaw !== undefined) this.sink.onTrailers(new HeaderList(this.trailerRaw));
          this.phase = Phase.START_LINE;
          this.complete();
          return;
        }
        if (++this.fieldCount > this.limits.maxHeaderCount) throw new WireError(WireErrorCode.TOO_MANY_HEADERS, offset);
        parseFieldLine(b, start, end, offset, (this.trailerRaw ??= []), undefined, this.fold);
        return;
    }
  }

  private headDone(endOffset: number): void {
    const decision = this.endHead(this.messageOffset, endOffset - this.messageOffset, endOffset);
    this.raw = [];
    resetFacts(this.facts);
    this.fieldCount = 0;
    this.bodyReceived = 0;
    this.trailerRaw = undefined;
    this.pauseAfter = decision.pauseAfter;
    const framing = decision.framing;
    switch (framing.kind) {
      case 'length':
        if (framing.length > this.limits.maxBodyBytes) throw new WireError(WireErrorCode.BODY_TOO_LARGE, endOffset);
        this.bodyRemaining = framing.length;
        this.phase = framing.length === 0 ? Phase.START_LINE : Phase.BODY_LENGTH;
        break;
      case 'chunked':
        this.phase = Phase.CHUNK_SIZE;
        break;
      case 'close':
        this.phase = Phase.BODY_CLOSE;
        break;
      case 'none':
        this.phase = Phase.START_LINE;
        break;
    }
    this.sink.onHead(decision.head);
    if (this.phase === Phase.START_LINE) this.complete();
  }

  private complete(): void {
    this.phase = Phase.START_LINE;
    if (this.pauseAfter) {
      this.pauseAfter = false;
      this.isPaused = true;
    }
    this.sink.onEnd();
  }
}
