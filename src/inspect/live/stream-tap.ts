/** Taken is one message's (or one side's) wire bytes: at most the cap, counted in full. */
export interface Taken {
  /** Stream offset of bytes[0] on that side of the connection. */
  readonly offset: number;
  /** A copy of the bytes, the first `cap` of them. */
  readonly bytes: Buffer;
  /** Bytes the range really spans on the wire. */
  readonly wireSize: number;
  readonly truncated: boolean;
}

interface Piece {
  readonly base: number;
  readonly bytes: Buffer;
}

/**
 * StreamTap keeps what one side of a connection sent, for cutting messages out once the splitter
 * has found where they end. It copies bytes in a window of `cap` bytes starting where the last
 * message taken ended, so a long body costs at most `cap` bytes, however long it is. The chunk of the
 * data event being parsed is also remembered (not copied): a message ends inside the chunk whose
 * parsing reports that end, so the bytes that follow it in that chunk (a pipelined message) are
 * still at hand even when they lie past the window. Call `take` only while that event is handled.
 */
export class StreamTap {
  private pieces: Piece[] = [];
  private latest: Piece | undefined;
  /** Stream offset just past the last byte seen. */
  private pos = 0;
  /** Window start: bytes before it are no longer needed. */
  private from = 0;

  constructor(private readonly cap: number) {}

  /** position is the stream offset just past the last byte seen. */
  get position(): number {
    return this.pos;
  }

  /** add records the next bytes sent on this side (the Buffer is only read, and copied in part). */
  add(bytes: Buffer): void {
    const base = this.pos;
    this.pos += bytes.length;
    this.latest = { base, bytes };
    this.keep(this.latest, Math.max(base, this.from), Math.min(this.pos, this.from + this.cap));
  }

  /**
   * take returns a copy of stream bytes [start, end), at most `cap` of them, and moves the window to
   * `end`: what was sent before it is let go.
   */
  take(start: number, end: number): Taken {
    const stop = Math.min(end, start + this.cap);
    const parts: Buffer[] = [];
    let at = start;
    for (const p of [...this.pieces, ...(this.latest === undefined ? [] : [this.latest])]) {
      const a = Math.max(at, p.base);
      const b = Math.min(stop, p.base + p.bytes.length);
      // pieces are in stream order and contiguous; `latest` may repeat some of them or fill the gap after the window
      if (a !== at || a >= b) continue;
      parts.push(p.bytes.subarray(a - p.base, b - p.base));
      at = b;
    }
    const bytes = Buffer.concat(parts, at - start);
    this.advance(end);
    return { offset: start, bytes, wireSize: end - start, truncated: bytes.length < end - start };
  }

  /** advance moves the window to start at `to`, copying from the current chunk what the new window now covers. */
  private advance(to: number): void {
    if (to <= this.from) return;
    const oldEnd = this.from + this.cap;
    this.from = to;
    const kept: Piece[] = [];
    for (const p of this.pieces) {
      const end = p.base + p.bytes.length;
      if (end <= to) continue;
      kept.push(p.base >= to ? p : { base: to, bytes: p.bytes.subarray(to - p.base) });
    }
    this.pieces = kept;
    if (this.latest !== undefined) this.keep(this.latest, Math.max(oldEnd, to, this.latest.base), Math.min(this.pos, to + this.cap));
  }

  /** keep copies stream bytes [a, b) of a chunk into the window. */
  private keep(p: Piece, a: number, b: number): void {
    if (a < b) this.pieces.push({ base: a, bytes: Buffer.from(p.bytes.subarray(a - p.base, b - p.base)) });
  }
}
