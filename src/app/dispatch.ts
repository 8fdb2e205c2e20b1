import { HttpError } from '../server/http-error.js';
import type { Handler, Request, Response } from '../server/types.js';
import { defaultErrorResponse, toHttpError, wantsJson } from './errors.js';
import { formKind, parseMultipart, parseUrlencoded, TempDir, type FormLimits } from './forms.js';
import { MountedRequest, prefixOf, type Mount } from './mount.js';
import { AppRequest, type RequestServices } from './request.js';
import { AppResponse, CONTENT_TYPES, type Body, type FileBody } from './response.js';
import type { Match, Router } from './router.js';
import { checkRedirect, clearHeaders, FileSender, toResponse, writeResponse, type HandlerResult } from './send.js';
import type { SessionMiddleware } from './session-types.js';

/** Route is one registered handler. */
export interface Route {
  readonly pattern: string;
  readonly handler: (req: AppRequest) => HandlerResult | Promise<HandlerResult>;
}

export type ErrorHandler<E> = (error: E, req: AppRequest) => HandlerResult | Promise<HandlerResult>;

export interface Hooks {
  before: Array<(req: AppRequest) => HandlerResult | void | Promise<HandlerResult | void>>;
  after: Array<(req: AppRequest, res: AppResponse) => AppResponse | void | Promise<AppResponse | void>>;
  onError: Array<(error: unknown, req: AppRequest) => void>;
  byStatus: Map<number, ErrorHandler<Error>>;
  byClass: Map<abstract new (...args: never[]) => Error, ErrorHandler<Error>>;
}

export interface DispatchConfig {
  readonly router: Router<Route>;
  readonly mounts: readonly Mount<Handler>[];
  readonly hooks: Hooks;
  readonly dev: boolean;
  readonly session: SessionMiddleware | undefined;
  readonly limits: FormLimits;
  readonly redirectGuard: boolean;
  readonly services: RequestServices;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const JSON_TYPE = CONTENT_TYPES.json;
const HTML_TYPE = CONTENT_TYPES.html;

/**
 * Dispatcher runs requests through the order documented on App. Requests to a matched route of an app
 * with no hooks and no sessions, without a body, take a fast path: the handler is called synchronously
 * and a string or plain-object result is written straight to the engine (no promise, no AppResponse).
 */
export class Dispatcher {
  private readonly files = new FileSender();
  constructor(private readonly c: DispatchConfig) {}

  private get simple(): boolean {
    const h = this.c.hooks;
    return this.c.session === undefined && h.before.length === 0 && h.after.length === 0;
  }

  dispatch(raw: Request, res: Response): void | Promise<void> {
    let match: Match<Route> | undefined;
    try {
      match = this.c.router.match(raw.path);
    } catch (error) {
      return this.full(new AppRequest(raw, NO_PARAMS, undefined, prefixOf(raw), this.c.services), res, undefined, undefined, { error });
    }
    const method = raw.method;
    const route = match === undefined ? undefined : (match.methods.get(method) ?? (method === 'HEAD' ? match.methods.get('GET') : undefined));
    const req = new AppRequest(raw, match === undefined ? NO_PARAMS : match.params, route?.pattern, raw instanceof MountedRequest ? prefixOf(raw) : '', this.c.services);
    if (route === undefined || raw.hasBody || !this.simple) return this.full(req, res, match, route, undefined);
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = route.handler(req);
    } catch (error) {
      return this.full(req, res, match, route, { error });
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => this.finishFast(req, res, value),
        (error: unknown) => this.full(req, res, match, route, { error }),
      );
    }
    return this.finishFast(req, res, result);
  }

  /** mounted hands the request to a mounted handler; `/prefix` alone redirects to `/prefix/`. */
  mounted(raw: Request, res: Response, mount: Mount<Handler>, rest: string): void | Promise<unknown> {
    if (rest === '/' && !raw.path.endsWith('/') && (raw.method === 'GET' || raw.method === 'HEAD')) {
      const location = `${prefixOf(raw)}${raw.path}/${raw.query === '' ? '' : `?${raw.query}`}`;
      res.setHeader('Location', location).setHeader('Content-Type', 'text/plain; charset=utf-8').status(308).end(`Moved to ${location}\n`);
      return;
    }
    return mount.handler(new MountedRequest(raw, mount.prefix, rest), res);
  }

  private finishFast(req: AppRequest, res: Response, result: HandlerResult): void | Promise<void> {
    if (typeof result === 'string') {
      // appendHeader: the response is fresh, so there is nothing to replace
      res.appendHeader('Content-Type', HTML_TYPE).appendHeader('X-Content-Type-Options', 'nosniff').end(result);
      return;
    }
    if (result !== null && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype) {
      let body: string | undefined;
      try {
        body = JSON.stringify(result);
      } catch {
        body = undefined;
      }
      if (body !== undefined) {
        res.appendHeader('Content-Type', JSON_TYPE).appendHeader('X-Content-Type-Options', 'nosniff').end(body);
        return;
      }
    }
    return this.finish(req, res, result);
  }

  private async finish(req: AppRequest, res: Response, result: HandlerResult): Promise<void> {
    let response: AppResponse;
    try {
      response = toResponse(result);
      if (this.c.redirectGuard) checkRedirect(response, req.origin);
    } catch (error) {
      response = await this.handleError(req, error);
    }
    await this.write(req, res, response);
  }

  /** full is the general path: every hook, sessions, forms; `thrown` resumes after a fast-path failure. */
  private async full(req: AppRequest, res: Response, match: Match<Route> | undefined, route: Route | undefined, thrown: { error: unknown } | undefined): Promise<void> {
    const temp = new TempDir();
    try {
      let response: AppResponse;
      try {
        if (thrown !== undefined) throw thrown.error;
        if (this.c.session !== undefined) req.sessionValue = await this.c.session.load({ cookies: req.cookies, secure: req.secure });
        response = await this.produce(req, match, route, temp);
        if (this.c.redirectGuard) checkRedirect(response, req.origin);
      } catch (error) {
        response = await this.handleError(req, error);
      }
      for (const after of this.c.hooks.after) {
        try {
          const replaced = await after(req, response);
          if (replaced instanceof AppResponse) response = replaced;
        } catch (error) {
          response = await this.handleError(req, error);
        }
      }
      if (this.c.session !== undefined && req.sessionValue !== undefined) {
        try {
          const out = response;
          await this.c.session.commit(req.sessionValue, (name, value, attrs) => void out.setCookie(name, value, attrs));
        } catch (error) {
          response = await this.handleError(req, error);
        }
      }
      await this.write(req, res, response);
    } finally {
      await temp.cleanup();
    }
  }

  private async produce(req: AppRequest, match: Match<Route> | undefined, route: Route | undefined, temp: TempDir): Promise<AppResponse> {
    const raw = req.raw;
    req.jsonLimit = this.c.limits.bodyBytes;
    if (route !== undefined && raw.hasBody) {
      const contentType = raw.headers.get('content-type');
      const kind = formKind(contentType);
      try {
        if (kind === 'urlencoded') req.formData = { form: await parseUrlencoded(raw, this.c.limits), files: req.files };
        else if (kind === 'multipart') req.formData = await parseMultipart(raw, contentType!, this.c.limits, temp);
      } catch (error) {
        req.bodyAbandoned = true;
        throw error;
      }
    }
    for (const before of this.c.hooks.before) {
      const early = await before(req);
      if (early !== undefined) return toResponse(early);
    }
    if (route !== undefined) return toResponse(await route.handler(req));
    if (match === undefined) {
      const slash = raw.path.endsWith('/') ? undefined : this.c.router.match(`${raw.path}/`);
      if (slash !== undefined && (raw.method === 'GET' || raw.method === 'HEAD')) {
        // Flask's strict_slashes: `/docs` reaches a route registered as `/docs/`.
        const location = `${req.prefix}${raw.path}/${raw.query === '' ? '' : `?${raw.query}`}`;
        return new AppResponse(undefined, 308).header('Location', location);
      }
      throw new HttpError(404);
    }
    const allow = allowed(match.methods);
    if (raw.method === 'OPTIONS') return new AppResponse(undefined, 204).header('Allow', allow);
    throw new HttpError(405, undefined, { headers: { Allow: allow } });
  }

  /** handleError: onError observers, then a handler by class (most derived first), by status, or the built-in page. */
  private async handleError(req: AppRequest, error: unknown): Promise<AppResponse> {
    for (const observe of this.c.hooks.onError) {
      try {
        observe(error, req);
      } catch {
        // an observer's failure must not change the answer
      }
    }
    const http = toHttpError(error);
    const json = wantsJson(req.headers.get('accept'));
    const handler = this.handlerFor(error, http.status);
    if (handler !== undefined) {
      try {
        const result = await handler(error instanceof Error ? error : http, req);
        // A string or object from an error handler keeps the error's status (Flask would send 200).
        const response = result instanceof AppResponse ? result : toResponse(result).status(http.status);
        for (const [name, value] of Object.entries(http.headers)) if (response.getHeader(name) === undefined) response.header(name, value);
        return response;
      } catch (failure) {
        return defaultErrorResponse(toHttpError(failure), json, this.c.dev);
      }
    }
    return defaultErrorResponse(http, json, this.c.dev);
  }

  private handlerFor(error: unknown, status: number): ErrorHandler<Error> | undefined {
    const byClass = this.c.hooks.byClass;
    if (byClass.size > 0 && error instanceof Error) {
      for (let proto = Object.getPrototypeOf(error) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
        const found = byClass.get((proto as { constructor: abstract new (...args: never[]) => Error }).constructor);
        if (found !== undefined) return found;
      }
    }
    return this.c.hooks.byStatus.get(status);
  }

  /** write sends the response; a failure before the head (a bad file, a bad header) becomes a 500 page. */
  private async write(req: AppRequest, res: Response, response: AppResponse): Promise<void> {
    if (req.bodyAbandoned) res.closeAfter();
    try {
      await writeResponse(req.raw, res, response, this.files);
    } catch (error) {
      if (res.headersSent) throw error; // mid-body: the engine cuts the connection
      clearHeaders(res);
      let fallback = await this.handleError(req, error);
      // an error page that is itself a file could fail the same way: use the built-in one
      if (isFileBody(fallback.body)) fallback = defaultErrorResponse(toHttpError(error), false, this.c.dev);
      await writeResponse(req.raw, res, fallback, this.files);
    }
  }
}

/** allowed lists the methods of a path for Allow: HEAD with GET, and OPTIONS always (RFC 9110 §10.2.1). */
function allowed(methods: ReadonlyMap<string, unknown>): string {
  const list = [...methods.keys()];
  if (methods.has('GET') && !methods.has('HEAD')) list.push('HEAD');
  if (!methods.has('OPTIONS')) list.push('OPTIONS');
  return list.join(', ');
}

function isFileBody(body: Body): body is FileBody {
  return typeof body === 'object' && !(body instanceof Uint8Array);
}
