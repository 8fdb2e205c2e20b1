import { Transform, type TransformCallback } from 'node:stream';
import {
  CHUNK_TAIL, chunkHead, lastChunk, RequestParser, ResponseParser, serializeResponseHead, WireError,
  type Limits, type RequestHead, type ResponseHead,
} from '../wire/index.js';

/**
 * ReframeSwitch names a lab switch that changes how responses are framed on their way to the client
 * (the proxy's one exception to forwarding byte for byte):
 * - 'chunked': a Content-Length or close-delimited body is sent with `Transfer-Encoding: chunked`.
 * - 'http1.0': the answer is an HTTP/1.0 one: 1.0 status line, no chunked coding, a close after it
 *   unless the client asked for keep-alive and the length is known.
 */
export type ReframeSwitch = 'chunked' | 'http1.0';

/** Asked is what is kept of each request, oldest first: what its response may be turned into. */
export interface Asked {
  readonly method: string;
  readonly versionMinor: 0 | 1;
  /** The request said `Connection: keep-alive`: what an HTTP/1.0 server keeps a connection open for. */
  readonly keepAlive: boolean;
}

/**
 * BodyPlan says how one response reaches the client:
 * - as-sent: its bytes exactly as the upstream sent them, head included;
 * - chunk: a new head, then each piece of body as it arrives as one chunk, then the last chunk;
 * - unframed: a new head, then the body bytes alone (chunk size lines and trailers dropped);
 * - drop: nothing (an interim 1xx answer, which HTTP/1.0 does not have).
 */
export type BodyPlan = 'as-sent' | 'chunk' | 'unframed' | 'drop';

export interface ResponsePlan {
  readonly body: BodyPlan;
  /** The head to send instead of the upstream's (status line to the empty line), unless as-sent. */
  readonly head: string | undefined;
  /** End the client's connection after this response, as an HTTP/1.0 server does. */
  readonly close: boolean;
}

const AS_SENT: ResponsePlan = Object.freeze({ body: 'as-sent', head: undefined, close: false });

/**
 * planResponse decides what the client gets for `head`, the upstream's answer to `asked` (undefined
 * when the request was not understood: then nothing changes, nor for a 101 switch).
 * 'http1.0' (RFC 9112 §9.3, RFC 9110 §15.2): a 1.0 status line; the chunked coding removed (any
 * other transfer coding stays), so a body of unknown length ends at the close; trailers dropped;
 * interim 1xx answers dropped; `Connection: keep-alive` only when the client sent it, the length is
 * known and the upstream keeps the connection too, else `Connection: close` and a close. With
 * 'chunked' as well, no Content-Length is sent either, so every body runs to the close, as
 * `wirehttp serve --http1.0 --chunked` does.
 * 'chunked' alone (RFC 9112 §7.1): only for HTTP/1.1 clients, and only bodies framed by length or
 * by the close; the status line says HTTP/1.1 (a 1.0 message may not be chunked, §6.1), and an answer
 * the upstream ends with a close says `Connection: close`.
 */
export function planResponse(head: ResponseHead, asked: Asked | undefined, switches: readonly ReframeSwitch[]): ResponsePlan {
  if (asked === undefined || head.status === 101) return AS_SENT;
  const chunked = switches.includes('chunked');
  const framing = head.framing.kind;
  if (switches.includes('http1.0')) {
    if (head.status < 200) return { body: 'drop', head: undefined, close: false };
    const dropLength = chunked && framing === 'length';
    const keep = asked.keepAlive && head.keepAlive && (framing === 'none' || (framing === 'length' && !dropLength));
    const drop = ['connection', 'transfer-encoding', ...(dropLength ? ['content-length'] : []), ...(keep ? [] : ['keep-alive'])];
    const fields = without(head.headers.raw, drop);
    const codings = head.headers.list('transfer-encoding').filter((c) => c.toLowerCase() !== 'chunked');
    if (codings.length > 0) fields.push('Transfer-Encoding', codings.join(', '));
    fields.push('Connection', keep ? 'keep-alive' : 'close');
    return { body: 'unframed', head: serializeResponseHead(head.status, head.reason, fields, 0), close: !keep };
  }
  if (!chunked || asked.versionMinor === 0 || head.status < 200 || (framing !== 'length' && framing !== 'close')) return AS_SENT;
  const saysClose = head.headers.hasToken('connection', 'close');
  const fields = without(head.headers.raw, head.keepAlive || saysClose ? ['content-length'] : ['content-length', 'connection', 'keep-alive']);
  fields.push('Transfer-Encoding', 'chunked');
  if (!head.keepAlive && !saysClose) fields.push('Connection', 'close');
  return { body: 'chunk', head: serializeResponseHead(head.status, head.reason, fields, 1), close: false };
}

/** without copies a flat [name, value, …] list leaving out the fields named in `lowerNames`. */
function without(raw: readonly string[], lowerNames: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!lowerNames.includes(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** A proxy forwards what servers send: heads as large as any client would take. */
const LIMITS: Partial<Limits> = { maxHeadBytes: 1 << 20, maxStartLine: 1 << 16, maxHeaderCount: 1000 };
const TAIL = Buffer.from(CHUNK_TAIL, 'latin1');

/**
 * Stage of the response stream: 'http' while answers are parsed and re-framed; 'as-sent' once
 * the rest passes unchanged (a tunnel after 101 or a 2xx to CONNECT, answers that are not HTTP/1.x,
 * requests no longer understood); 'closed' once an HTTP/1.0 answer ended the client's connection.
 */
type Stage = 'http' | 'as-sent' | 'closed';

/**
 * Reframer is the transform between the upstream's bytes and the client: it finds each response's
 * head and body with our response parser, pairs it with its request (fed with `request()`, in the
 * order the client sent them) and applies planResponse. Bytes of an unchanged answer pass exactly as
 * received; a head still incomplete is held back until its end shows what to do with it (bounded by
 * LIMITS). What one upstream read produced goes out as one piece (joined when re-framed), so the
 * shaper after it and the trace see the client's bytes per read. When an answer must be the last,
 * the readable side ends, the upstream's later bytes are discarded, and `onClose` is called once.
 */
export class Reframer extends Transform {
  private readonly requests: RequestParser;
  private readonly responses: ResponseParser;
  private readonly asked: Asked[] = [];
  private requestsLost = false;
  private stage: Stage = 'http';
  /** Bytes of the current answer's head, until its end. */
  private held: Buffer[] = [];
  private plan: ResponsePlan = AS_SENT;
  /** The current answer's head has been handled; its body (if any) is being read. */
  private inBody = false;
  /** Set by parser events inside feed(), which pauses at each head and each end. */
  private sawHead = false;
  private sawEnd = false;
  private tunnel = false;
  private out: Buffer[] = [];

  constructor(private readonly switches: readonly ReframeSwitch[], private readonly onClose: () => void) {
    super();
    this.requests = new RequestParser(
      { onHead: (h) => this.noteRequest(h), onBody: () => {}, onTrailers: () => {}, onEnd: () => {} },
      { allowBareLf: true, limits: LIMITS },
    );
    this.responses = new ResponseParser(
      {
        onHead: (h) => this.onHead(h),
        onBody: (b) => this.onBody(b),
        onTrailers: () => {},
        onEnd: () => {
          this.sawEnd = true;
          this.responses.pause();
          if (this.plan.body === 'chunk') this.out.push(Buffer.from(lastChunk(), 'latin1'));
        },
      },
      { limits: LIMITS },
    );
  }

  /**
   * request takes the bytes the client sent, before the upstream gets them, so each answer meets its
   * request. Once they stop being HTTP/1.x requests (or a protocol switch is asked), later answers
   * pass unchanged.
   */
  request(bytes: Buffer): void {
    if (this.requestsLost) return;
    try {
      this.requests.feed(bytes);
      if (this.requests.paused) this.requestsLost = true;
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.requestsLost = true;
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.stage === 'as-sent') return done(null, chunk);
    if (this.stage === 'closed') return done();
    let used = 0;
    while (used < chunk.length && this.stage === 'http') {
      if (!this.inBody && this.held.length === 0 && this.requestsLost && this.asked.length === 0) {
        this.stage = 'as-sent';
        this.out.push(chunk.subarray(used));
        break;
      }
      const start = used;
      try {
        used += this.responses.feed(chunk.subarray(used));
      } catch (error) {
        if (!(error instanceof WireError)) return done(error as Error);
        this.broken(chunk.subarray(start));
        break;
      }
      this.consumed(chunk.subarray(start, used));
      if (this.sawEnd) this.ended(chunk.subarray(used));
      if (this.stage === 'http') this.responses.resume();
    }
    this.send();
    if (this.isClosed()) {
      this.push(null);
      this.onClose();
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.stage === 'http') {
      try {
        this.responses.finish(); // ends a body that runs to the close
      } catch {
        // Cut short: an unchanged answer's held head goes out as received; a re-framed one stays
        // unfinished (no last chunk), so the client sees it incomplete.
        if (!this.inBody || this.plan.body === 'as-sent') this.out.push(...this.held);
      }
      this.send();
    }
    done();
  }

  private noteRequest(h: RequestHead): void {
    this.responses.expect(h.method);
    this.asked.push({ method: h.method, versionMinor: h.versionMinor, keepAlive: h.headers.hasToken('connection', 'keep-alive') && !h.headers.hasToken('connection', 'close') });
  }

  private onHead(h: ResponseHead): void {
    this.sawHead = true;
    this.responses.pause();
    // Interim answers do not use up a request (as in the parser's own pairing).
    const asked = h.status >= 200 ? this.asked.shift() : this.asked[0];
    this.plan = planResponse(h, asked, this.switches);
    this.tunnel = h.status === 101 || (asked?.method === 'CONNECT' && h.status >= 200 && h.status < 300);
  }

  private onBody(b: Buffer): void {
    if (b.length === 0) return; // a chunk of size 0 would end the body
    if (this.plan.body === 'chunk') this.out.push(Buffer.from(chunkHead(b.length), 'latin1'), b, TAIL);
    else if (this.plan.body === 'unframed') this.out.push(b);
  }

  /** consumed handles the bytes one feed() took: part of a head, a whole head, or body and framing. */
  private consumed(piece: Buffer): void {
    if (this.inBody) {
      if (this.plan.body === 'as-sent') this.out.push(piece);
      return;
    }
    this.held.push(piece);
    if (!this.sawHead) return;
    this.sawHead = false;
    this.inBody = true;
    if (this.plan.body === 'as-sent') this.out.push(...this.held);
    else if (this.plan.head !== undefined) this.out.push(Buffer.from(this.plan.head, 'latin1'));
    this.held = [];
  }

  /** ended runs after an answer's last byte; `rest` is what followed it in the same read. */
  private ended(rest: Buffer): void {
    this.sawEnd = false;
    this.inBody = false;
    if (this.tunnel) {
      this.stage = 'as-sent';
      this.out.push(rest);
    } else if (this.plan.close) {
      this.stage = 'closed';
    } else {
      this.plan = AS_SENT;
    }
  }

  /** broken: the upstream's bytes stopped being HTTP/1.x at some byte of `rest`. */
  private broken(rest: Buffer): void {
    if (!this.inBody || this.plan.body === 'as-sent') {
      this.out.push(...this.held, rest);
      this.held = [];
      this.stage = 'as-sent';
    } else {
      this.stage = 'closed'; // a re-framed body cannot go on: end the answer here
    }
  }

  /** isClosed is read after feed() may have changed the stage (which TypeScript cannot see). */
  private isClosed(): boolean {
    return this.stage === 'closed';
  }

  private send(): void {
    const out = this.out;
    if (out.length === 0) return;
    this.out = [];
    this.push(out.length === 1 ? out[0] : Buffer.concat(out));
  }
}
