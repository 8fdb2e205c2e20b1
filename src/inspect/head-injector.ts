import { Transform, type TransformCallback } from 'node:stream';
import { RequestParser, type RequestHead } from '../wire/index.js';

/**
 * HeadInjector passes a client's request stream through unchanged except for extra header lines
 * added at the end of every request head (e.g. Via, X-Forwarded-For), computed per request. Heads are
 * found with our own parser; bodies and everything else pass through byte for byte. If the stream
 * stops being HTTP/1.x the rest passes through untouched.
 */
export class HeadInjector extends Transform {
  private readonly parser: RequestParser;
  /** Stream offsets (before the final CRLF of a head) where lines go, found while feeding a chunk. */
  private inserts: Array<{ at: number; text: string }> = [];
  private forwarded = 0;
  private broken = false;
  private held: Buffer | undefined;

  constructor(extraLines: (head: RequestHead) => string[]) {
    super();
    this.parser = new RequestParser(
      {
        onHead: (head) => {
          const lines = extraLines(head);
          if (lines.length > 0) this.inserts.push({ at: head.offset + head.headBytes - 2, text: lines.map((l) => `${l}\r\n`).join('') });
        },
        onBody: () => {},
        onTrailers: () => {},
        onEnd: () => {},
      },
      { allowBareLf: false },
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.broken) {
      try {
        let used = 0;
        while (used < chunk.length && !this.parser.paused) used += this.parser.feed(chunk.subarray(used));
      } catch {
        this.broken = true; // not HTTP: forward as is and let the upstream answer
      }
    }
    // While a head is incomplete its end may be in the next chunk: hold its bytes back until then,
    // so the insertion point is never in bytes already sent. Heads are bounded by the parser's limits.
    const data = this.held === undefined ? chunk : Buffer.concat([this.held, chunk]);
    if (!this.broken && this.parser.inHead) {
      this.held = data;
      done();
      return;
    }
    this.held = undefined;
    let from = 0;
    for (const insert of this.inserts) {
      const cut = insert.at - this.forwarded;
      this.push(data.subarray(from, cut));
      this.push(Buffer.from(insert.text, 'latin1'));
      from = cut;
    }
    this.inserts = [];
    this.push(data.subarray(from));
    this.forwarded += data.length;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.held !== undefined) this.push(this.held);
    done();
  }
}
