import type { Socket } from 'node:net';

/**
 * Bytes a batch may gather before it is written out at once (a socket's default high-water mark).
 * A batch that stayed within it is small enough to be copied into one Buffer.
 */
const BATCH_LIMIT = 16 * 1024;

/** joinParts copies latin1 strings and Buffers into one Buffer. */
function joinParts(parts: ReadonlyArray<string | Buffer>): Buffer {
  let bytes = 0;
  for (const part of parts) bytes += part.length; // a latin1 string has one byte per character
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const part of parts) at += typeof part === 'string' ? out.write(part, at, 'latin1') : part.copy(out, at);
  return out;
}

/**
 * BatchedWriter sends bytes to a socket, or gathers them while a read is being processed: every
 * response produced from one read (a pipelined batch, or just one keep-alive exchange) then leaves in
 * a single write, the largest single saving for small responses (shared/PERFORMANCE.md, "Batching
 * writes"). Text is joined into one latin1 string; Buffers go out with it in one corked writev.
 * Connection extends it (a base class rather than a member: idle connections stay one object).
 */
export abstract class BatchedWriter {
  readonly socket: Socket;
  /** Nesting depth of batched processing; writes are gathered while it is above zero. */
  private batchDepth = 0;
  private batchText = '';
  private batchParts: Array<string | Buffer> | undefined;
  private batchBytes = 0;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** tapOut receives every byte written when an observer wants them; undefined otherwise (free). */
  protected abstract tapOut(): ((bytes: Buffer) => void) | undefined;

  protected beginBatch(): void {
    this.batchDepth++;
  }

  protected endBatch(): void {
    if (--this.batchDepth === 0) this.flushBatch();
  }

  /** gather opens a batch for writes that belong together (ResponseChannel: head and body, a chunk). */
  gather(): void {
    this.beginBatch();
  }

  /** release closes it; false when the socket's buffer is full. */
  release(): boolean {
    this.endBatch();
    return !this.socket.writableNeedDrain;
  }

  /** write sends or gathers `data`; false means the socket's buffer is full (wait for 'drain'). */
  protected write(data: string | Buffer, encoding: BufferEncoding): boolean {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return false;
    if (this.batchDepth > 0) {
      if (typeof data === 'string') {
        this.batchText += data;
      } else {
        const parts = (this.batchParts ??= []);
        if (this.batchText !== '') parts.push(this.batchText);
        this.batchText = '';
        parts.push(data);
      }
      // A handler that writes a large body before its first await runs inside the batch: past
      // BATCH_LIMIT the batch goes out now, so the socket (not the batch) says when to wait.
      this.batchBytes += data.length;
      if (this.batchBytes >= BATCH_LIMIT) this.flushBatch();
      return !socket.writableNeedDrain;
    }
    return this.rawWrite(data, encoding);
  }

  /** flushBatch writes what was gathered now (before ending the socket, for instance). */
  protected flushBatch(): void {
    const parts = this.batchParts;
    const text = this.batchText;
    const bytes = this.batchBytes;
    this.batchParts = undefined;
    this.batchText = '';
    this.batchBytes = 0;
    if (parts === undefined) {
      if (text !== '') this.rawWrite(text, 'latin1');
      return;
    }
    if (text !== '') parts.push(text);
    if (bytes <= BATCH_LIMIT) {
      // Small parts (a head and a small file) are copied into one Buffer: one plain write costs less
      // than the cork, the chunk list and the writev request node builds for several.
      this.rawWrite(joinParts(parts), 'latin1');
      return;
    }
    this.socket.cork();
    for (const part of parts) this.rawWrite(part, 'latin1');
    this.socket.uncork();
  }

  private rawWrite(data: string | Buffer, encoding: BufferEncoding): boolean {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return false;
    const tap = this.tapOut();
    if (tap !== undefined) {
      const bytes = typeof data === 'string' ? Buffer.from(data, encoding) : data;
      tap(bytes);
      return socket.write(bytes);
    }
    return socket.write(data, encoding);
  }
}
