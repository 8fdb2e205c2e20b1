import { RequestParser, ResponseParser, type BodyFraming, type HeaderList, type MessageSink, type RequestHead, type ResponseHead } from '../wire/index.js';
import type { Side } from './capture.js';
import { ChunkWalker, type ChunkRecord } from './chunk-walker.js';

/**
 * MessageRecord is one request or response as it crossed the wire. `headRaw` is the exact head
 * (start line, field lines, final CRLF); `head` is our parser's reading of it (case and order kept).
 * Offsets count bytes sent by that side on the connection.
 */
export interface MessageRecord<Head> {
  readonly head: Head;
  readonly headRaw: Buffer;
  readonly offset: number;
  readonly framing: BodyFraming;
  /** The body as delivered (chunk framing removed), at most `cap` bytes of it. */
  readonly body: Buffer[];
  /** Decoded body bytes in total, kept or not. */
  bodySize: number;
  /** True when bodySize exceeds what `body` kept. */
  bodyTruncated: boolean;
  /** Chunks in order (chunked framing only), the last one being the zero-size chunk. */
  readonly chunks: ChunkRecord[] | undefined;
  trailers: HeaderList | undefined;
  /** Bytes on the wire from the first head byte to the end of the message (known once complete). */
  wireSize: number;
  /** Time of the data event holding the first head byte, the one completing the head, and the end. */
  readonly start: number;
  readonly headDone: number;
  end: number | undefined;
}

/** Limits for reading what others sent: generous, since the inspector reports rather than defends. */
const READ_LIMITS = { maxStartLine: 64 * 1024, maxHeadBytes: 256 * 1024, maxHeaderCount: 10_000, maxBodyBytes: Infinity, maxChunkLine: 64 * 1024 };
/** A data chunk still needed to cut a head out of the stream. */
interface Held {
  readonly base: number;
  readonly bytes: Buffer;
  readonly time: number;
}

/** Building is a message being received: its record plus what is needed to finish it. */
interface Building<Head> {
  record: MessageRecord<Head>;
  walker: ChunkWalker | undefined;
  kept: number;
}

/** Direction parses what one side sent. */
export class Direction<Head extends RequestHead | ResponseHead> implements MessageSink<Head> {
  readonly parser: RequestParser | ResponseParser;
  /** Stream offset of the next byte to arrive. */
  private pos = 0;
  private held: Held[] = [];
  private chunk: Held | undefined;
  private current: Building<Head> | undefined;
  /** Stream offset just past the last complete message: where the next head starts. */
  private lastEnd = 0;
  failed = false;

  constructor(
    side: Side,
    private readonly bodyCap: number,
    private readonly onHeadDone: (record: MessageRecord<Head>) => void,
    private readonly onMessageEnd: (record: MessageRecord<Head>) => void,
  ) {
    this.parser = side === 'client' ? new RequestParser(this as unknown as MessageSink<RequestHead>, { limits: READ_LIMITS, allowBareLf: true }) : new ResponseParser(this as unknown as MessageSink<ResponseHead>, { limits: READ_LIMITS });
  }

  /** feed parses one data event; throws the parser's WireError on bytes that are not HTTP. */
  feed(bytes: Buffer, time: number): void {
    const chunk: Held = { base: this.pos, bytes, time };
    this.pos += bytes.length;
    this.chunk = chunk;
    this.held.push(chunk);
    const walker = this.current?.walker;
    if (walker !== undefined && !walker.done) walker.feed(bytes, 0, chunk.base);
    try {
      let used = 0;
      while (used < bytes.length) {
        const n = this.parser.feed(used === 0 ? bytes : bytes.subarray(used));
        used += n;
        // A protocol switch pauses the parser: the rest is not HTTP/1.1 and is only counted.
        if (this.parser.paused) break;
      }
    } finally {
      this.chunk = undefined;
      this.trim();
    }
  }

  /** end completes a close-delimited body when the connection closes. */
  end(time: number): void {
    const cur = this.current;
    if (cur === undefined || cur.record.framing.kind !== 'close') return;
    try {
      this.chunk = { base: this.pos, bytes: Buffer.alloc(0), time };
      this.parser.finish();
    } catch {
      // incomplete: left without an end
    } finally {
      this.chunk = undefined;
    }
  }

  onHead(head: Head): void {
    const chunk = this.chunk!;
    const headEnd = head.offset + head.headBytes;
    const start = this.held.find((h) => h.base + h.bytes.length > head.offset) ?? chunk;
    const framing = head.framing;
    const record: MessageRecord<Head> = {
      head, headRaw: this.slice(head.offset, headEnd), offset: head.offset, framing, body: [], bodySize: 0, bodyTruncated: false,
      chunks: framing.kind === 'chunked' ? [] : undefined, trailers: undefined, wireSize: head.headBytes,
      start: start.time, headDone: chunk.time, end: undefined,
    };
    let walker: ChunkWalker | undefined;
    if (framing.kind === 'chunked') {
      walker = new ChunkWalker(headEnd, record.chunks!);
      walker.feed(chunk.bytes, headEnd - chunk.base, chunk.base);
    }
    this.current = { record, walker, kept: 0 };
    this.onHeadDone(record);
  }

  onBody(view: Buffer): void {
    const cur = this.current!;
    const rec = cur.record;
    rec.bodySize += view.length;
    const room = this.bodyCap - cur.kept;
    if (room <= 0) {
      rec.bodyTruncated = true;
      return;
    }
    // Copied: the source may hand the same memory to others after the event.
    const take = view.length <= room ? view : view.subarray(0, room);
    rec.body.push(Buffer.from(take));
    cur.kept += take.length;
    if (take.length < view.length) rec.bodyTruncated = true;
  }

  onTrailers(trailers: HeaderList): void {
    this.current!.record.trailers = trailers;
  }

  onEnd(): void {
    const cur = this.current!;
    const rec = cur.record;
    const bodyStart = rec.offset + rec.head.headBytes;
    switch (rec.framing.kind) {
      case 'length':
        rec.wireSize = rec.head.headBytes + rec.framing.length;
        break;
      case 'chunked':
        rec.wireSize = (cur.walker?.endOffset ?? bodyStart) - rec.offset;
        break;
      case 'close':
        rec.wireSize = this.pos - rec.offset;
        break;
      case 'none':
        break;
    }
    rec.end = this.chunk!.time;
    this.lastEnd = rec.offset + rec.wireSize;
    this.current = undefined;
    this.onMessageEnd(rec);
  }

  /**
   * unfinished says what this side was in the middle of sending, for when the connection closes:
   * part of a head (its byte count) or a message whose body had not ended; undefined if nothing.
   */
  unfinished(): { readonly part: 'head'; readonly bytes: number } | { readonly part: 'body'; readonly message: MessageRecord<Head> } | undefined {
    if (this.failed || this.parser.paused) return undefined;
    if (this.current !== undefined) return { part: 'body', message: this.current.record };
    return this.pos > this.lastEnd ? { part: 'head', bytes: this.pos - this.lastEnd } : undefined;
  }

  /** slice copies stream bytes [from, to) out of the held chunks. */
  private slice(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    for (const h of this.held) {
      const a = Math.max(from, h.base);
      const b = Math.min(to, h.base + h.bytes.length);
      if (a < b) parts.push(h.bytes.subarray(a - h.base, b - h.base));
    }
    return Buffer.concat(parts, to - from);
  }

  /** trim drops chunks no head can need any more: all of them while inside a body. */
  private trim(): void {
    if (this.current !== undefined || this.parser.idle) {
      // In a body, or between messages: the next head starts at or after the current position.
      this.held = [];
      return;
    }
    // A head is in progress: keep only the chunks it may span (it started after any completed message).
    if (this.held.length > 64) this.held = this.held.slice(-64);
  }
}
