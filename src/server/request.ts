import type { Readable } from 'node:stream';
import type { HeaderList, RequestHead } from '../wire/index.js';
import { authorityOf } from './host.js';
import { HttpError } from './http-error.js';
import { emptyReadable, type IncomingBody } from './incoming-body.js';
import { resolveForwarded, type ForwardedFacts, type ProxyTrust, type Scheme } from './trust-proxy.js';
import type { ConnectionInfo, HttpVersion, Request } from './types.js';

/**
 * ServerRequest is the engine's Request. Path and query are split from the target on first use
 * (most handlers of a hello-world never ask), and the body stream is created only when read.
 */
export class ServerRequest implements Request {
  readonly head: RequestHead;
  readonly sequence: number;
  /** Trailer fields of a chunked body, once it has ended (undefined when none were sent). */
  trailers: HeaderList | undefined = undefined;
  private readonly peer: ConnectionInfo;
  private readonly incoming: IncomingBody | undefined;
  private readonly maxBody: number;
  private readonly trust: ProxyTrust | undefined;
  private forwarded: ForwardedFacts | undefined;
  private pathCache: string | undefined;
  private queryCache: string | undefined;

  constructor(head: RequestHead, peer: ConnectionInfo, sequence: number, incoming: IncomingBody | undefined, maxBody: number, trust?: ProxyTrust) {
    this.head = head;
    this.peer = peer;
    this.sequence = sequence;
    this.incoming = incoming;
    this.maxBody = maxBody;
    this.trust = trust;
  }

  get method(): string {
    return this.head.method;
  }
  get target(): string {
    return this.head.target;
  }
  get headers(): HeaderList {
    return this.head.headers;
  }
  get httpVersion(): HttpVersion {
    return this.head.versionMinor === 1 ? '1.1' : '1.0';
  }
  get remoteAddress(): string {
    return this.peer.remoteAddress;
  }
  get remotePort(): number {
    return this.peer.remotePort;
  }
  get localAddress(): string {
    return this.peer.localAddress;
  }
  get localPort(): number {
    return this.peer.localPort;
  }
  get secure(): boolean {
    return this.peer.secure;
  }
  get clientAddress(): string {
    return this.facts().clientAddress;
  }
  get scheme(): Scheme {
    return this.facts().scheme;
  }
  get host(): string | undefined {
    return this.facts().host;
  }
  get connectionId(): number {
    return this.peer.id;
  }
  get hasBody(): boolean {
    return this.incoming !== undefined;
  }

  get path(): string {
    if (this.pathCache === undefined) this.splitTarget();
    return this.pathCache!;
  }

  get query(): string {
    if (this.queryCache === undefined) this.splitTarget();
    return this.queryCache!;
  }

  get body(): Readable {
    return this.incoming === undefined ? emptyReadable() : this.incoming.readable();
  }

  /** The body's buffer state, for the connection (not part of the public Request interface). */
  get incomingBody(): IncomingBody | undefined {
    return this.incoming;
  }

  async bytes(limit = this.maxBody): Promise<Buffer> {
    return this.incoming === undefined ? Buffer.alloc(0) : this.incoming.collect(limit);
  }

  async text(limit?: number): Promise<string> {
    return (await this.bytes(limit)).toString('utf8');
  }

  async json<T = unknown>(limit?: number): Promise<T> {
    const text = await this.text(limit);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new HttpError(400, 'Request body is not valid JSON', { cause: error });
    }
  }

  /** facts resolves client address, scheme and host once, on first use (trustProxy). */
  private facts(): ForwardedFacts {
    // RFC 9112 §3.2.2: with an absolute-form target the Host field is ignored in favour of its authority
    const host = this.head.targetForm === 'absolute' ? authorityOf(this.head.target) : this.head.headers.get('host');
    return (this.forwarded ??= resolveForwarded(this.trust, this.peer.remoteAddress, this.peer.secure, this.head.headers, host));
  }

  /** splitTarget derives path and query; absolute-form targets contribute the URL's path. */
  private splitTarget(): void {
    const target = this.head.target;
    let start = 0;
    if (this.head.targetForm === 'absolute') {
      const scheme = target.indexOf('://');
      const slash = target.indexOf('/', scheme + 3);
      start = slash === -1 ? target.length : slash;
    } else if (this.head.targetForm !== 'origin') {
      this.pathCache = target;
      this.queryCache = '';
      return;
    }
    const q = target.indexOf('?', start);
    const end = q === -1 ? target.length : q;
    const path = target.slice(start, end);
    this.pathCache = path === '' ? '/' : path;
    this.queryCache = q === -1 ? '' : target.slice(q + 1);
  }
}
