import { Readable } from 'node:stream';
import { CHUNK_TAIL, chunkHead, lastChunk } from '../wire/index.js';
import type { Connection } from './connection.js';
import { BodySourceError } from './errors.js';

/** RequestBody is what a request may send: bytes, text (UTF-8), or a stream of either. */
export type RequestBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/** PreparedBody is a request body with its length known (bytes) or not (stream). */
export type PreparedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'stream'; readonly source: AsyncIterable<Uint8Array | string>; readonly length: number | undefined };

/** prepareBody classifies a body; `declaredLength` is a caller-given Content-Length for streams. */
export function prepareBody(body: RequestBody | null | undefined, declaredLength?: number): PreparedBody {
  if (body === undefined || body === null) return { kind: 'none' };
  if (typeof body === 'string') return { kind: 'bytes', bytes: Buffer.from(body, 'utf8') };
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  return { kind: 'stream', source: body, length: declaredLength };
}

/**
 * writeStreamBody copies a streamed request body to the connection with backpressure, chunk-encoded
 * when `chunked` (RFC 9112 §7.1) and otherwise raw (exactly `length` bytes, checked). Empty source
 * chunks are skipped because a zero-size chunk would end the body early.
 */
export async function writeStreamBody(
  conn: Connection,
  source: AsyncIterable<Uint8Array | string>,
  chunked: boolean,
  length: number | undefined,
): Promise<number> {
  let sent = 0;
  try {
    for await (const part of source) {
      if (conn.closed) return sent;
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      if (bytes.length === 0) continue;
      sent += bytes.length;
      if (!chunked && length !== undefined && sent > length) throw new BodySourceError(`request body is longer than its Content-Length ${length}`);
      const ok = chunked ? conn.write(Buffer.concat([Buffer.from(chunkHead(bytes.length), 'latin1'), bytes, Buffer.from(CHUNK_TAIL, 'latin1')])) : conn.write(bytes);
      if (!ok) await conn.drain();
    }
  } catch (error) {
    if (error instanceof BodySourceError) throw error;
    throw new BodySourceError(`reading the request body failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (chunked) conn.write(Buffer.from(lastChunk(), 'latin1'));
  else if (length !== undefined && sent !== length) throw new BodySourceError(`request body has ${sent} bytes, Content-Length said ${length}`);
  return sent;
}

/**
 * BodyStream is a response body as a node Readable. Chunks are the parser's zero-copy views over
 * socket Buffers (node never reuses those, so they stay valid). Reading drives the socket: when the
 * stream's buffer is full the connection stops reading and `_read` resumes it.
 */
export class BodyStream extends Readable {
  /** Body bytes received as sent on the wire (before any Content-Encoding decoding). */
  received = 0;
  private finished = false;
  private readonly onPull: () => void;
  private readonly onAbandon: () => void;

  constructor(onPull: () => void, onAbandon: () => void) {
    super({ highWaterMark: 64 * 1024 });
    this.onPull = onPull;
    this.onAbandon = onAbandon;
  }

  /** deliver pushes a chunk; false means the consumer is behind and reading should pause. */
  deliver(chunk: Buffer): boolean {
    this.received += chunk.length;
    return this.push(chunk);
  }

  /** complete ends the stream after the last chunk. */
  complete(): void {
    this.finished = true;
    this.push(null);
  }

  get isComplete(): boolean {
    return this.finished;
  }

  override _read(): void {
    this.onPull();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.finished) this.onAbandon();
    callback(error);
  }
}

/** readAll collects a stream into one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** emptyStream returns an ended Readable (HEAD, 204, 304 responses). */
export function emptyStream(): Readable {
  return Readable.from([]);
}
