/** ChunkRecord is one chunk of a chunked body as sent: its size line (without CRLF) and data size. */
export interface ChunkRecord {
  /** Stream offset of the size line. */
  readonly offset: number;
  /** The size line exactly as sent, extensions included, CRLF excluded (`1a;name=v`). */
  readonly sizeLine: string;
  readonly size: number;
}

const State = { SIZE: 0, DATA: 1, DATA_END: 2, TRAILERS: 3, DONE: 4 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * ChunkWalker follows the chunk framing of a body our parser has already accepted, to record what
 * the parser does not report: each chunk's size line and where the message ends (after the trailer
 * section's empty line). It trusts its input (the parser validated it) and reads sizes leniently.
 */
export class ChunkWalker {
  private state: State = State.SIZE;
  private line: number[] = [];
  private lineOffset: number;
  private remaining = 0;
  /** Stream offset just past the message, once `done`. */
  endOffset: number | undefined;

  constructor(start: number, private readonly chunks: ChunkRecord[]) {
    this.lineOffset = start;
  }

  get done(): boolean {
    return this.state === State.DONE;
  }

  /** feed walks b[from…] whose byte 0 is at stream offset `base`; stops at the end of the message. */
  feed(b: Buffer, from: number, base: number): void {
    let i = Math.max(from, 0);
    while (i < b.length && this.state !== State.DONE) {
      switch (this.state) {
        case State.SIZE:
        case State.TRAILERS: {
          if (this.line.length === 0) this.lineOffset = base + i;
          const lf = b.indexOf(0x0a, i);
          const end = lf === -1 ? b.length : lf;
          for (let k = i; k < end; k++) this.line.push(b[k]!);
          i = end;
          if (lf === -1) break;
          i = lf + 1;
          this.endLine(base + i);
          break;
        }
        case State.DATA: {
          const take = Math.min(this.remaining, b.length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            this.state = State.DATA_END;
            this.remaining = 2;
          }
          break;
        }
        case State.DATA_END:
          i++;
          if (--this.remaining === 0) this.state = State.SIZE;
          break;
      }
    }
  }

  private endLine(nextOffset: number): void {
    const line = this.line;
    this.line = [];
    if (line.length > 0 && line[line.length - 1] === 0x0d) line.pop();
    if (this.state === State.TRAILERS) {
      if (line.length === 0) {
        this.state = State.DONE;
        this.endOffset = nextOffset;
      }
      return;
    }
    const sizeLine = Buffer.from(line).toString('latin1');
    const size = parseInt(sizeLine, 16) || 0;
    this.chunks.push({ offset: this.lineOffset, sizeLine, size });
    if (size === 0) {
      this.state = State.TRAILERS;
    } else {
      this.state = State.DATA;
      this.remaining = size;
    }
  }
}
