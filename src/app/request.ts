import { HttpError } from '../server/http-error.js';
import type { Request } from '../server/types.js';
import type { HeaderList } from '../wire/index.js';
import { parseCookies } from './cookies.js';
import { MultiMap, type FormData, type UploadedFile } from './forms.js';
import type { Session } from './session-types.js';

const EMPTY_FILES = new MultiMap<UploadedFile>();

/** Services the request borrows from its app (reverse routing and templates), bound to this request. */
export interface RequestServices {
  urlFor(name: string, params?: Record<string, string | number>, prefix?: string): string;
  render(name: string, context: Record<string, unknown>, req: AppRequest): string;
}

/**
 * AppRequest is what a route handler receives: the engine's Request plus Flask's conveniences, each
 * computed on first use (most handlers touch one or two). `form` and `files` are filled before the
 * handler runs when the body is a form; `session` when the app has sessions.
 */
export class AppRequest<P = Record<string, string>> {
  /** The engine request (body stream, trailers, connection details). */
  readonly raw: Request;
  /** Decoded path parameters of the matched route. */
  readonly params: P;
  /** The pattern of the matched route, undefined for 404/405/OPTIONS. */
  readonly route: string | undefined;
  /** Path prefix the app is mounted under ('' at the root), added by urlFor. */
  readonly prefix: string;
  /** @internal set by the app */
  formData: FormData | undefined;
  /** @internal set by the app */
  sessionValue: Session | undefined;
  /** @internal the body was abandoned part-way: the connection must close after the response */
  bodyAbandoned = false;
  private readonly services: RequestServices;
  private argsCache: URLSearchParams | undefined;
  private cookieCache: Record<string, string> | undefined;
  private urlCache: URL | undefined;

  constructor(raw: Request, params: P, route: string | undefined, prefix: string, services: RequestServices) {
    this.raw = raw;
    this.params = params;
    this.route = route;
    this.prefix = prefix;
    this.services = services;
  }

  get method(): string {
    return this.raw.method;
  }
  /** Path as sent (percent-encoded), without the mount prefix. */
  get path(): string {
    return this.raw.path;
  }
  get headers(): HeaderList {
    return this.raw.headers;
  }
  /** The client's address: the peer, or what a trusted proxy reports (server option trustProxy). */
  get remoteAddress(): string {
    return this.raw.clientAddress;
  }
  /** Whether the client used HTTPS: TLS here, or a trusted proxy's word. */
  get secure(): boolean {
    return this.raw.scheme === 'https';
  }

  /** args: the query string, repeated keys kept (`args.getAll('tag')`). */
  get args(): URLSearchParams {
    return (this.argsCache ??= new URLSearchParams(this.raw.query));
  }

  /** form: urlencoded or multipart fields (empty for other bodies). */
  get form(): URLSearchParams {
    return this.formData?.form ?? (this.formData = { form: new URLSearchParams(), files: EMPTY_FILES }).form;
  }

  /** files: uploaded files of a multipart form, in temporary files deleted after the response. */
  get files(): MultiMap<UploadedFile> {
    return this.formData?.files ?? EMPTY_FILES;
  }

  /** cookies: name -> value from the Cookie header(s), parsed by the `cookie` package. */
  get cookies(): Record<string, string> {
    return (this.cookieCache ??= parseCookies(this.raw.headers.getAll('cookie')));
  }

  /** url: the full URL as the client addressed it (scheme from TLS, authority from Host). */
  get url(): URL {
    return (this.urlCache ??= new URL(`${this.prefix}${this.raw.target.startsWith('/') ? this.raw.target : this.raw.path}`, this.origin));
  }

  /** origin: `scheme://host` as the client addressed it (Host, or a trusted proxy's), else the local address. */
  get origin(): string {
    const host = this.raw.host ?? `${this.raw.localAddress.includes(':') ? `[${this.raw.localAddress}]` : this.raw.localAddress}:${this.raw.localPort}`;
    return `${this.raw.scheme}://${host}`;
  }

  /** session: the client's session. Throws when the app was built without `session`. */
  get session(): Session {
    if (this.sessionValue === undefined) throw new Error('req.session: create the App with a `session` option');
    return this.sessionValue;
  }

  /**
   * json parses a JSON body (size-limited by the app). HttpError 415 when the Content-Type is not JSON,
   * 400 when the body does not parse.
   */
  async json<T = unknown>(): Promise<T> {
    const type = (this.raw.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !type.endsWith('+json')) throw new HttpError(415, 'Expected a JSON body');
    return this.raw.json<T>(this.jsonLimit);
  }

  /** @internal the app's body limit for json() */
  jsonLimit: number | undefined;

  /** urlFor builds the path of the route named `name` (with this app's mount prefix). */
  urlFor(name: string, params?: Record<string, string | number>): string {
    return this.services.urlFor(name, params, this.prefix);
  }

  /** render renders a template with `request`, `session` and `urlFor` in its context. */
  render(name: string, context: Record<string, unknown> = {}): string {
    return this.services.render(name, context, this as AppRequest);
  }
}
