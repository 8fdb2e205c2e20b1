import { Readable } from 'node:stream';
import { HttpError } from './http-error.js';

/** BodyFlow lets a body stop and restart the bytes coming from its connection (backpressure). */
export interface BodyFlow {
  pauseInput(): void;
  resumeInput(): void;
  /** Called once when the handler first asks for the body (sends 100 Continue when expected). */
  bodyWanted(): void;
}

/** How much unread body is buffered before the socket is paused. */
const HIGH_WATER = 64 * 1024;

type BodyState = 'open' | 'ended' | 'failed';

/**
 * IncomingBody holds a request body between the parser and the handler. Chunks are zero-copy views
 * from the socket. Until the handler asks for the body they are kept (up to HIGH_WATER, then the socket
 * pauses), so a handler may await something before reading without losing bytes.
 */
export class IncomingBody {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private state: BodyState = 'open';
  private failure: Error | undefined;
  private stream: Readable | undefined;
  private wanted = false;
  /** This body paused the connection's input and has not released it yet. */
  private holding = false;
  /** The exchange was answered before the body ended: the rest is read and dropped. */
  private dropping = false;
  /** Bytes received so far. */
  received = 0;

  constructor(private readonly flow: BodyFlow) {}

  get complete(): boolean {
    return this.state !== 'open';
  }

  /** Whether the handler has asked for the body in any form. */
  get touched(): boolean {
    return this.wanted;
  }

  push(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.dropping) return;
    if (this.stream !== undefined) {
      // A destroyed stream (the handler gave up, e.g. over its size limit) reads nothing more:
      // drop the bytes instead of pausing the socket for a reader that will never come.
      if (this.stream.destroyed) return;
      if (!this.stream.push(chunk)) this.hold();
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > HIGH_WATER) this.hold();
  }

  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.stream?.push(null);
    // No more bytes belong to this body: whatever follows (the next request) must be read even if
    // the handler never drains what is buffered here.
    this.release();
  }

  fail(error: Error): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = error;
    this.stream?.destroy(error);
    this.release();
  }

  /**
   * abandon is called when the response is complete before this body: nobody will read the rest.
   * Buffered bytes are dropped, the input is released, and a stream the handler opened ends quietly
   * (no 'error' event a handler that stopped listening would turn into an uncaught exception).
   */
  abandon(): void {
    if (this.state !== 'open' || this.dropping) return;
    this.dropping = true;
    this.chunks = [];
    this.buffered = 0;
    this.stream?.destroy();
    this.release();
  }

  private hold(): void {
    if (this.holding) return;
    this.holding = true;
    this.flow.pauseInput();
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.flow.resumeInput();
  }

  /** readable returns the body as a node Readable, created on first call. */
  readable(): Readable {
    if (this.stream !== undefined) return this.stream;
    this.want();
    const stream = new Readable({
      read: () => {
        const pending = this.chunks;
        if (pending.length > 0) {
          this.chunks = [];
          this.buffered = 0;
          for (const c of pending) stream.push(c);
        }
        if (this.state === 'ended') stream.push(null);
        else if (this.state === 'failed') stream.destroy(this.failure);
        else this.release();
      },
    });
    this.stream = stream;
    return stream;
  }

  /** collect reads the whole body; more than `limit` bytes rejects with HttpError 413. */
  async collect(limit: number): Promise<Buffer> {
    if (this.state === 'ended' && this.stream === undefined) {
      this.want();
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      if (all.length > limit) throw tooLarge(limit);
      return all;
    }
    if (this.state === 'failed' && this.stream === undefined) throw this.failure;
    const parts: Buffer[] = [];
    let total = 0;
    const stream = this.readable();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        stream.destroy();
        throw tooLarge(limit);
      }
      parts.push(chunk);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  }

  private want(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.flow.bodyWanted();
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than ${limit} bytes`);
}

/** EMPTY_BODY stands in for requests without a body: reads finish at once. */
export function emptyReadable(): Readable {
  return Readable.from([]);
}
