import type { Readable } from 'node:stream';
import { chunkHead, equalsIgnoreCase, isValidHeaderName, isValidHeaderValue, lastChunk } from '../wire/index.js';
import { httpDate } from './date-cache.js';
import { HttpError } from './http-error.js';
import type { ServerRequest } from './request.js';
import { bodyForbidden, statusLine } from './status-line.js';
import type { HeaderValue, Response } from './types.js';

/** The connection side of a response: ordering, backpressure and the keep-alive decision. */
export interface ResponseChannel {
  readonly serverName: string;
  /** Queue bytes for `res`; written now when `res` is at the head of the pipeline. */
  emit(res: ServerResponse, data: string | Buffer, encoding: BufferEncoding): boolean;
  /** Resolves when `res` may write more. */
  drain(res: ServerResponse): Promise<void>;
  /** Whether the connection must close after `res` (decided when its head is built). */
  mustClose(res: ServerResponse): boolean;
  /** `res` has ended; `complete` is false when its body was cut short (the connection must close). */
  finished(res: ServerResponse, complete: boolean): void;
  /**
   * gather and release bracket several emits that belong together (head and body, a chunk's size
   * line, data and CRLF) so they leave in one write even when a handler answers after an await.
   */
  gather(): void;
  /** release ends a gather (the bytes go out if no outer gather is open); false when the socket is full. */
  release(): boolean;
}

/** How the body of this response is delimited on the wire (RFC 9112 §6). */
type BodyMode = 'unsent' | 'none' | 'length' | 'chunked' | 'close';

/**
 * ServerResponse builds the head as one latin1 string and sends the head and a small body in a single
 * write. Header fields are kept in a flat [name, value, …] array in the order set.
 */
export class ServerResponse implements Response {
  statusCode = 200;
  statusMessage: string | undefined = undefined;
  readonly request: ServerRequest;
  /** Bytes of body sent so far (excluding framing). */
  bodyBytes = 0;
  /** Set once the head has gone out and the connection decided to close after this response. */
  willClose = false;
  /** The request was the last one the connection reads (client asked to close, limit reached…). */
  lastOnConnection = false;
  /** Output produced while an earlier pipelined response is still being written. */
  pendingOut: Array<string | Buffer> | undefined = undefined;
  private fields: string[] = [];
  private mode: BodyMode = 'unsent';
  private declaredLength = -1;
  private ended = false;
  private closeRequested = false;
  private answerMinor: 0 | 1 = 1;
  private readonly channel: ResponseChannel;

  constructor(request: ServerRequest, channel: ResponseChannel) {
    this.request = request;
    this.channel = channel;
  }

  get headersSent(): boolean {
    return this.mode !== 'unsent';
  }
  get finished(): boolean {
    return this.ended;
  }

  status(code: number, reason?: string): this {
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new HttpError(500, 'Invalid status code', { expose: false });
    if (reason !== undefined && !isValidHeaderValue(reason)) throw new HttpError(500, 'Invalid reason phrase', { expose: false });
    this.statusCode = code;
    this.statusMessage = reason;
    return this;
  }

  setHeader(name: string, value: HeaderValue): this {
    // a refused value leaves the fields as they were (nothing half-set, the old value kept)
    if (typeof value === 'object') checkValues(value);
    this.removeHeader(name);
    return this.appendHeader(name, value);
  }

  appendHeader(name: string, value: HeaderValue): this {
    if (this.mode !== 'unsent') throw new HttpError(500, 'Headers already sent', { expose: false });
    if (!knownName(name)) throw new HttpError(500, 'Invalid header name', { expose: false });
    if (typeof value === 'object') {
      checkValues(value);
      for (const v of value) this.fields.push(name, v);
    } else {
      this.pushField(name, typeof value === 'number' ? String(value) : value);
    }
    return this;
  }

  getHeader(name: string): string | undefined {
    const f = this.fields;
    for (let i = 0; i < f.length; i += 2) if (equalsIgnoreCase(f[i]!, name)) return f[i + 1];
    return undefined;
  }

  hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }

  removeHeader(name: string): this {
    const f = this.fields;
    for (let i = f.length - 2; i >= 0; i -= 2) if (equalsIgnoreCase(f[i]!, name)) f.splice(i, 2);
    return this;
  }

  headerList(): readonly string[] {
    return this.fields;
  }

  /** resetForError drops everything set so far so an error page can be sent instead (head unsent only). */
  resetForError(status: number): void {
    this.fields = [];
    this.statusCode = status;
    this.statusMessage = undefined;
  }

  closeAfter(): this {
    this.closeRequested = true;
    return this;
  }

  answerAsHttp10(): this {
    this.answerMinor = 0;
    return this;
  }

  /** Whether closeAfter() was asked or the handler set `Connection: close`. */
  get closeRequestedByHandler(): boolean {
    return this.closeRequested || (this.getHeader('connection')?.toLowerCase().includes('close') ?? false);
  }

  writeHead(status?: number, headers?: Record<string, HeaderValue>): this {
    if (status !== undefined) this.statusCode = status;
    if (headers !== undefined) for (const name of Object.keys(headers)) this.setHeader(name, headers[name]!);
    if (this.mode === 'unsent') this.channel.emit(this, this.buildHead(undefined), 'latin1');
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.ended) throw new HttpError(500, 'write after end', { expose: false });
    if (this.mode === 'unsent') {
      const head = this.buildHead(undefined);
      if ((this.mode as BodyMode) === 'none') return this.channel.emit(this, head, 'latin1');
      this.channel.emit(this, head, 'latin1');
    }
    return this.writeBody(chunk);
  }

  drain(): Promise<void> {
    return this.channel.drain(this);
  }

  end(chunk?: string | Uint8Array, trailers?: readonly string[]): void {
    if (this.ended) return;
    if (this.mode === 'unsent') {
      this.endWhole(chunk);
      return;
    }
    if (chunk !== undefined && chunk.length > 0) this.writeBody(chunk);
    this.ended = true;
    let complete = true;
    if (this.mode === 'chunked') {
      this.channel.emit(this, lastChunk(trailers), 'latin1');
    } else if (this.mode === 'length' && this.bodyBytes !== this.declaredLength && !this.isHead()) {
      complete = false; // the client would wait for bytes that never come: close to end the message
    }
    this.channel.finished(this, complete);
  }

  /**
   * endLatin1 ends with a body given as a latin1 string, one character per byte (`buf.toString('latin1')`
   * of bytes sent many times, made once). Head and body then leave as one string write, with no Buffer
   * to allocate and join per response: ~1 µs of a cached small file in `serve`.
   */
  endLatin1(body: string): void {
    if (this.ended) return;
    if (this.mode !== 'unsent') {
      this.end(Buffer.from(body, 'latin1'));
      return;
    }
    this.endWhole(body, true);
  }

  /** abandon ends a response whose head is out but whose body cannot be completed: the connection closes. */
  abandon(): void {
    if (this.ended) return;
    this.ended = true;
    this.willClose = true;
    this.channel.finished(this, false);
  }

  async send(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | Readable): Promise<void> {
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
      if (!this.write(chunk)) await this.drain();
    }
    this.end();
  }

  /** endWhole sends head and body at once with an exact Content-Length: the common, fastest case. */
  private endWhole(chunk: string | Uint8Array | undefined, latin1 = false): void {
    let length = 0;
    let textBody: string | undefined; // a body of one byte per character (ASCII, or latin1 given as such): sent joined to the head
    if (latin1) {
      length = (chunk as string).length;
      textBody = chunk as string;
    } else if (typeof chunk === 'string') {
      length = Buffer.byteLength(chunk, 'utf8');
      if (length === chunk.length) textBody = chunk;
    } else if (chunk !== undefined) {
      length = chunk.byteLength;
    }
    const head = this.buildHead(length);
    this.ended = true;
    // head and a binary body are two emits: gathered, they still leave in one write
    const twoParts = this.mode !== 'none' && length > 0 && textBody === undefined;
    if (twoParts) this.channel.gather();
    if (this.mode === 'none' || length === 0) {
      this.channel.emit(this, head, 'latin1');
    } else if (textBody !== undefined) {
      this.channel.emit(this, head + textBody, 'latin1');
    } else {
      this.channel.emit(this, head, 'latin1');
      this.channel.emit(this, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : toBuffer(chunk!), 'latin1');
    }
    this.bodyBytes = this.mode === 'none' ? 0 : length;
    this.channel.finished(this, true);
    if (twoParts) this.channel.release();
  }

  private writeBody(chunk: string | Uint8Array): boolean {
    if (this.mode === 'none') return true;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : toBuffer(chunk);
    if (data.length === 0) return true;
    if (this.mode === 'length' && this.bodyBytes + data.length > this.declaredLength) {
      throw new HttpError(500, 'Body longer than the declared Content-Length', { expose: false });
    }
    this.bodyBytes += data.length;
    if (this.mode === 'chunked') {
      this.channel.gather();
      this.channel.emit(this, chunkHead(data.length), 'latin1');
      this.channel.emit(this, data, 'latin1');
      const room = this.channel.emit(this, '\r\n', 'latin1');
      return this.channel.release() && room;
    }
    return this.channel.emit(this, data, 'latin1');
  }

  private isHead(): boolean {
    return this.request.head.method === 'HEAD';
  }

  /**
   * buildHead fixes the framing and returns the head. `knownLength` is the whole body's size when the
   * handler ended with a body, undefined when it streams. RFC 9112 §6.1-6.3 and §9.6.
   */
  private buildHead(knownLength: number | undefined): string {
    const req = this.request;
    const status = this.statusCode;
    let head = statusLine(this.answerMinor, status, this.statusMessage);
    let userLength = -1;
    let hasDate = false;
    let hasServer = false;
    let hasConnection = false;
    const f = this.fields;
    for (let i = 0; i < f.length; i += 2) {
      const name = f[i]!;
      const value = f[i + 1]!;
      switch (name.length) {
        case 4:
          if (equalsIgnoreCase(name, 'date')) hasDate = true;
          break;
        case 6:
          if (equalsIgnoreCase(name, 'server')) hasServer = true;
          break;
        case 10:
          if (equalsIgnoreCase(name, 'connection')) hasConnection = true;
          break;
        case 14:
          if (equalsIgnoreCase(name, 'content-length')) {
            userLength = Number(value);
            if (!Number.isSafeInteger(userLength) || userLength < 0) throw new HttpError(500, 'Invalid Content-Length', { expose: false });
            if (knownLength !== undefined && knownLength !== userLength && !this.isHead()) continue; // replaced below
          }
          break;
        case 17:
          if (equalsIgnoreCase(name, 'transfer-encoding')) continue; // the engine picks the transfer coding
          break;
      }
      head += `${name}: ${value}\r\n`;
    }
    if (!hasDate && !hasServer) {
      head += dateAndServerLines(this.channel.serverName);
    } else {
      if (!hasDate) head += `Date: ${httpDate()}\r\n`;
      if (!hasServer && this.channel.serverName !== '') head += `Server: ${this.channel.serverName}\r\n`;
    }

    const forbidden = bodyForbidden(status);
    const v11 = req.head.versionMinor === 1 && this.answerMinor === 1;
    if (forbidden) {
      this.mode = 'none';
    } else if (userLength >= 0 && (knownLength === undefined || knownLength === userLength || this.isHead())) {
      this.declaredLength = userLength;
      this.mode = 'length';
    } else if (knownLength !== undefined) {
      head += contentLengthLine(knownLength);
      this.declaredLength = knownLength;
      this.mode = 'length';
    } else if (v11) {
      head += 'Transfer-Encoding: chunked\r\n';
      this.mode = 'chunked';
    } else {
      this.mode = 'close';
    }
    if (this.isHead() && !forbidden) {
      // HEAD gets the headers GET would get (RFC 9110 §9.3.2) and no body bytes.
      if (this.mode === 'length' || this.mode === 'chunked') this.mode = 'none';
    }

    this.willClose = this.mode === 'close' || this.channel.mustClose(this);
    if (this.mode === 'close' && this.isHead()) this.mode = 'none';
    if (!hasConnection) {
      if (this.willClose) head += 'Connection: close\r\n';
      else if (!v11) head += 'Connection: keep-alive\r\n';
    }
    return `${head}\r\n`;
  }

  private pushField(name: string, value: string): void {
    if (!isValidHeaderValue(value)) throw new HttpError(500, 'Invalid header value', { expose: false });
    this.fields.push(name, value);
  }
}

/** checkValues throws HttpError 500 if any value of a list could split the response (CR, LF, NUL…). */
function checkValues(values: readonly string[]): void {
  for (const v of values) if (!isValidHeaderValue(v)) throw new HttpError(500, 'Invalid header value', { expose: false });
}

// The lines the engine adds to almost every head, kept as whole strings: building them per response
// was a third of the head's allocations (sampling heap profiler).
let stampDate = '';
let stampServer = '';
let stampLines = '';

/** dateAndServerLines returns `Date: …\r\nServer: …\r\n`, rebuilt when the second (or the name) changes. */
function dateAndServerLines(serverName: string): string {
  const date = httpDate();
  if (date !== stampDate || serverName !== stampServer) {
    stampDate = date;
    stampServer = serverName;
    stampLines = serverName === '' ? `Date: ${date}\r\n` : `Date: ${date}\r\nServer: ${serverName}\r\n`;
  }
  return stampLines;
}

const LENGTH_LINES: string[] = [];
const CACHED_LENGTHS = 4096;

/** contentLengthLine returns `Content-Length: N\r\n`, the same string each time for small bodies. */
function contentLengthLine(length: number): string {
  if (length >= CACHED_LENGTHS) return `Content-Length: ${length}\r\n`;
  return (LENGTH_LINES[length] ??= `Content-Length: ${length}\r\n`);
}

/** Header names a handler sets repeat on every response: validate each distinct one once. */
const validNames = new Set<string>();

function knownName(name: string): boolean {
  if (validNames.has(name)) return true;
  if (!isValidHeaderName(name)) return false;
  if (validNames.size < 512) validNames.add(name);
  return true;
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
