// Lab switches of `wirehttp serve` (issue 7): make answers slow, chunked, HTTP/1.0 or cut short on
// purpose, so the protocol's coping can be watched with --trace or a browser's network panel.
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Shaper } from '../inspect/shaper.js';
import type { Handler, HeaderValue, Request, Response } from '../server/types.js';
import type { LabArgs } from './serve-args.js';

/** labActive: whether any switch is on (with none, the handler is used as it is). */
export function labActive(lab: LabArgs): boolean {
  return lab.delayMs !== undefined || lab.bytesPerSecond !== undefined || lab.dropAfter !== undefined || lab.chunked || lab.http10;
}

/** labSummary names the switches for the banner. */
export function labSummary(lab: LabArgs): string {
  return [
    lab.delayMs === undefined ? '' : `delay ${lab.delayMs} ms`,
    lab.bytesPerSecond === undefined ? '' : `throttle ${lab.bytesPerSecond} B/s`,
    lab.chunked ? 'chunked bodies' : '',
    lab.http10 ? 'HTTP/1.0 answers' : '',
    lab.dropAfter === undefined ? '' : `cut after ${lab.dropAfter} body bytes`,
  ].filter((s) => s !== '').join(', ');
}

/** LabCut ends a handler whose response --drop-after cut: the engine then closes the connection. */
class LabCut extends Error {
  override readonly name = 'LabCut';
}

/**
 * withLab wraps `handler` so its answers follow the switches: --delay waits before the handler runs;
 * --http1.0 makes the engine answer this request as HTTP/1.0 (status line, no chunked coding, close
 * unless the client asked for keep-alive); --chunked drops Content-Length so bodies go out chunked;
 * --throttle and --drop-after run the body through the proxy's Shaper (inspect/shaper.ts). A cut
 * response rejects the handler after its head went out, which the engine answers by closing the
 * connection: the client sees a body shorter than announced. `note` tells the access log.
 */
export function withLab(handler: Handler, lab: LabArgs, note: (req: Request, text: string) => void): Handler {
  return async (req, res) => {
    if (lab.delayMs !== undefined && lab.delayMs > 0) {
      await sleep(lab.delayMs);
      note(req, `lab: waited ${lab.delayMs} ms`);
    }
    if (lab.http10) answerAsHttp10(req, res, note);
    if (!lab.chunked && lab.bytesPerSecond === undefined && lab.dropAfter === undefined) return handler(req, res);
    const shaped = new LabResponse(res, lab, note);
    await Promise.race([Promise.resolve(handler(req, shaped)), shaped.cut]);
    await shaped.done;
  };
}

/**
 * answerAsHttp10: a 1.0 status line and framing, and the connection kept only when the client sent
 * `Connection: keep-alive` (RFC 9112 §9.3).
 */
function answerAsHttp10(req: Request, res: Response, note: (req: Request, text: string) => void): void {
  const sent = req.httpVersion;
  res.answerAsHttp10();
  const tokens = (req.headers.get('connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
  if (!tokens.includes('keep-alive')) res.closeAfter();
  note(req, `lab: answered as HTTP/1.0 (the client sent HTTP/${sent})`);
}

/**
 * LabResponse passes everything to the real response except the body, which goes through a Shaper
 * (throttle, cut) and, with --chunked, never carries a Content-Length.
 */
class LabResponse implements Response {
  /** Settles when the body is fully handed to the engine; rejects when the client went away. */
  readonly done: Promise<void>;
  /** Rejects with LabCut when --drop-after cut the response (never resolves otherwise). */
  readonly cut: Promise<never>;
  private readonly shaper: Shaper | undefined;
  private started = false;
  private stopped = false;
  private resolveDone!: () => void;
  private rejectDone!: (error: unknown) => void;
  private rejectCut!: (error: unknown) => void;

  constructor(private readonly real: Response, private readonly lab: LabArgs, private readonly note: (req: Request, text: string) => void) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.cut = new Promise<never>((_resolve, reject) => (this.rejectCut = reject));
    this.cut.catch(() => {});
    this.done.catch(() => {});
    if (lab.bytesPerSecond === undefined && lab.dropAfter === undefined) return;
    const shaper = new Shaper({ bytesPerSecond: lab.bytesPerSecond, dropAfter: lab.dropAfter }, () => this.onCut());
    shaper.on('data', (piece: Buffer) => {
      if (this.stopped) return;
      if (!real.write(piece)) {
        shaper.pause();
        real.drain().then(() => shaper.resume(), (error: unknown) => this.fail(error));
      }
    });
    shaper.on('end', () => {
      if (this.stopped) return;
      this.stopped = true;
      real.end();
      this.resolveDone();
    });
    shaper.on('error', (error: Error) => this.fail(error));
    this.shaper = shaper;
    if (lab.bytesPerSecond !== undefined) note(real.request, `lab: body throttled to ${lab.bytesPerSecond} B/s`);
  }

  get statusCode(): number {
    return this.real.statusCode;
  }
  set statusCode(code: number) {
    this.real.statusCode = code;
  }
  get statusMessage(): string | undefined {
    return this.real.statusMessage;
  }
  set statusMessage(reason: string | undefined) {
    this.real.statusMessage = reason;
  }
  get headersSent(): boolean {
    return this.started || this.real.headersSent;
  }
  get finished(): boolean {
    return this.real.finished;
  }
  get request(): Request {
    return this.real.request;
  }

  status(code: number, reason?: string): this {
    this.real.status(code, reason);
    return this;
  }
  setHeader(name: string, value: HeaderValue): this {
    if (!this.dropsLength(name)) this.real.setHeader(name, value);
    return this;
  }
  appendHeader(name: string, value: HeaderValue): this {
    if (!this.dropsLength(name)) this.real.appendHeader(name, value);
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.real.getHeader(name);
  }
  hasHeader(name: string): boolean {
    return this.real.hasHeader(name);
  }
  removeHeader(name: string): this {
    this.real.removeHeader(name);
    return this;
  }
  headerList(): readonly string[] {
    return this.real.headerList();
  }
  writeHead(status?: number, headers?: Record<string, HeaderValue>): this {
    if (status !== undefined) this.real.status(status);
    for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v);
    this.real.writeHead();
    return this;
  }
  closeAfter(): this {
    this.real.closeAfter();
    return this;
  }
  answerAsHttp10(): this {
    this.real.answerAsHttp10();
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.stopped) return true;
    if (chunk.length === 0) return true;
    this.started = true;
    if (this.shaper === undefined) return this.real.write(chunk);
    return this.shaper.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }

  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve(); // cut: let the handler finish; what it writes is dropped
    if (this.shaper === undefined) return this.real.drain();
    if (!this.shaper.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => this.shaper!.once('drain', resolve));
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined && chunk.length > 0) this.write(chunk);
    if (this.shaper !== undefined) {
      this.shaper.end();
      return;
    }
    if (this.stopped) return;
    this.stopped = true;
    // without a length the engine chunks, except for HTTP/1.0, which has no chunks: the close ends the body
    const closeDelimited = this.lab.http10 || this.real.request.httpVersion === '1.0';
    if (this.lab.chunked && this.started) this.note(this.real.request, closeDelimited ? 'lab: no length, the body ends at the close' : 'lab: chunked body');
    // HEAD: send the head a chunked GET would have (Transfer-Encoding, no length), not a length of 0
    if (this.lab.chunked && !this.started && this.real.request.method === 'HEAD' && !this.real.headersSent) this.real.writeHead();
    this.real.end();
    this.resolveDone();
  }

  async send(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | Readable): Promise<void> {
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) if (!this.write(chunk)) await this.drain();
    this.end();
  }

  /** dropsLength: with --chunked the engine must not learn the length, or it would not chunk. */
  private dropsLength(name: string): boolean {
    return this.lab.chunked && name.toLowerCase() === 'content-length';
  }

  private onCut(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.note(this.real.request, `lab: connection cut after ${this.lab.dropAfter} body bytes`);
    if (!this.real.headersSent) this.real.writeHead(); // the head goes out even when no body byte may
    const cut = new LabCut('response cut by --drop-after');
    this.rejectCut(cut);
    this.rejectDone(cut);
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.shaper?.destroy();
    this.rejectDone(error);
    this.rejectCut(error);
  }
}
