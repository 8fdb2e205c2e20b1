import type { Readable } from 'node:stream';
import type { HeaderList, RequestHead } from '../wire/index.js';
import type { HttpVersion, Request } from '../server/types.js';

/**
 * MountedRequest is a Request seen by a handler mounted under a prefix: `path` and `target` lose the
 * prefix (`/static/a.css` -> `/a.css`), everything else is the original request. `prefix` lets a
 * mounted App build links that include it.
 */
export class MountedRequest implements Request {
  readonly path: string;
  readonly target: string;
  constructor(
    readonly inner: Request,
    readonly prefix: string,
    path: string,
  ) {
    this.path = path;
    this.target = inner.query === '' ? path : `${path}?${inner.query}`;
  }
  get method(): string {
    return this.inner.method;
  }
  get query(): string {
    return this.inner.query;
  }
  get httpVersion(): HttpVersion {
    return this.inner.httpVersion;
  }
  get headers(): HeaderList {
    return this.inner.headers;
  }
  get head(): RequestHead {
    return this.inner.head;
  }
  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }
  get remotePort(): number {
    return this.inner.remotePort;
  }
  get localAddress(): string {
    return this.inner.localAddress;
  }
  get localPort(): number {
    return this.inner.localPort;
  }
  get secure(): boolean {
    return this.inner.secure;
  }
  get clientAddress(): string {
    return this.inner.clientAddress;
  }
  get scheme(): 'http' | 'https' {
    return this.inner.scheme;
  }
  get host(): string | undefined {
    return this.inner.host;
  }
  get connectionId(): number {
    return this.inner.connectionId;
  }
  get sequence(): number {
    return this.inner.sequence;
  }
  get trailers(): HeaderList | undefined {
    return this.inner.trailers;
  }
  get hasBody(): boolean {
    return this.inner.hasBody;
  }
  get body(): Readable {
    return this.inner.body;
  }
  bytes(limit?: number): Promise<Buffer> {
    return this.inner.bytes(limit);
  }
  text(limit?: number): Promise<string> {
    return this.inner.text(limit);
  }
  json<T = unknown>(limit?: number): Promise<T> {
    return this.inner.json<T>(limit);
  }
}

/** Mount is a handler registered under a path prefix (no trailing slash, e.g. `/static`). */
export interface Mount<H> {
  readonly prefix: string;
  readonly handler: H;
}

/**
 * findMount returns the mount whose prefix is `path`'s first segments, with the rest of the path
 * (`/static` itself maps to `/`). Longest prefix first, so `/a/b` beats `/a`.
 */
export function findMount<H>(mounts: readonly Mount<H>[], path: string): { mount: Mount<H>; rest: string } | undefined {
  for (const mount of mounts) {
    const p = mount.prefix;
    if (!path.startsWith(p)) continue;
    if (path.length === p.length) return { mount, rest: '/' };
    if (path.charCodeAt(p.length) === 0x2f) return { mount, rest: path.slice(p.length) };
  }
  return undefined;
}

/** prefixOf reads the mount prefix a request arrived with ('' at the top level). */
export function prefixOf(req: Request): string {
  return req instanceof MountedRequest ? mountedPrefix(req) : '';
}

function mountedPrefix(req: MountedRequest): string {
  return prefixOf(req.inner) + req.prefix;
}
