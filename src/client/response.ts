import type { Readable } from 'node:stream';
import type { HeaderList, ResponseHead } from '../wire/index.js';
import { readAll, type BodyStream } from './body.js';
import type { Timings } from './timings.js';
import type { ClientConnectionInfo } from './types.js';

/** ResponseConnection tells which connection carried a response and whether it was re-used. */
export interface ResponseConnection {
  readonly id: number;
  readonly reused: boolean;
  readonly info: ClientConnectionInfo;
}

/**
 * ClientResponse is a response whose head has arrived; the body streams. Read it exactly once, with
 * `text()`, `json()`, `bytes()`, `for await (const chunk of response)` or `response.body` (a node
 * Readable), or call `dump()`: a connection goes back to the pool only after its body was read to
 * the end.
 */
export class ClientResponse implements AsyncIterable<Buffer> {
  /** The URL this response answers (after redirects: the last one; curl's url_effective). */
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly reason: string;
  readonly httpVersion: '1.0' | '1.1';
  /** Header fields in received order and case. */
  readonly headers: HeaderList;
  readonly head: ResponseHead;
  /** Informational (1xx) heads received before this one, e.g. 100 Continue. */
  readonly informational: readonly ResponseHead[];
  /** The body, decoded when the request asked for decompression and the coding is known. */
  readonly body: Readable;
  /** The raw body as framed on the wire (before Content-Encoding decoding). */
  readonly rawBody: BodyStream;
  readonly timings: Timings;
  readonly connection: ResponseConnection;
  /** The exact request head bytes that were written for this response. */
  readonly requestHead: Buffer;
  /** Request body bytes written. */
  requestBodyBytes = 0;
  /** URLs of earlier hops, oldest first, when redirects were followed. */
  redirects: readonly string[] = [];
  /** Trailer fields of a chunked body, once the body has ended with some. */
  trailers: HeaderList | undefined;

  constructor(init: {
    url: string;
    method: string;
    head: ResponseHead;
    informational: readonly ResponseHead[];
    body: Readable;
    rawBody: BodyStream;
    timings: Timings;
    connection: ResponseConnection;
    requestHead: Buffer;
  }) {
    this.url = init.url;
    this.method = init.method;
    this.head = init.head;
    this.status = init.head.status;
    this.reason = init.head.reason;
    this.httpVersion = init.head.versionMinor === 0 ? '1.0' : '1.1';
    this.headers = init.head.headers;
    this.informational = init.informational;
    this.body = init.body;
    this.rawBody = init.rawBody;
    this.timings = init.timings;
    this.connection = init.connection;
    this.requestHead = init.requestHead;
  }

  /** ok is true for 2xx statuses. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** bytes reads the whole (decoded) body. Rejects with the ClientError that ended it early. */
  bytes(): Promise<Buffer> {
    return readAll(this.body);
  }

  /** text reads the body as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /** json parses the body as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** dump reads and discards the body so the connection can be re-used; never rejects. */
  async dump(): Promise<void> {
    try {
      for await (const _ of this.body) {
        // discard
      }
    } catch {
      // the connection is gone anyway
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
}
