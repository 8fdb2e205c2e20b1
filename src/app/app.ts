import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from '../server/server.js';
import type { Handler, Request, Response, ServerOptions } from '../server/types.js';
import { createStaticHandler } from '../static/handler.js';
import { Dispatcher, type ErrorHandler, type Hooks, type Route } from './dispatch.js';
import { DEFAULT_FORM_LIMITS, type FormLimits } from './forms.js';
import { findMount, type Mount } from './mount.js';
import type { AppRequest } from './request.js';
import { buildPath, compilePattern, Router, type CompiledPattern, type Params } from './router.js';
import type { HandlerResult } from './send.js';
import type { Session, SessionMiddleware } from './session-types.js';
import { Templates, templateUrlFor } from './templates.js';

export type { HandlerResult };

/** RouteHandler answers one route; `req.params` is typed from the pattern. */
export type RouteHandler<P extends string> = (req: AppRequest<Params<P>>) => HandlerResult | Promise<HandlerResult>;

export interface RouteOptions {
  /** Name for urlFor (default: the handler function's name, when it has one). */
  name?: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | (string & {});

export interface AppOptions {
  /** The app's folder: `templates/` and `static/` are looked up in it. A file URL (import.meta.url) is accepted. */
  root?: string | URL;
  /** Templates folder (default `root/templates`); false disables templates. */
  templates?: string | URL | false;
  /** Static folder (default `root/static`, when it exists) served at `staticUrl`; false disables it. */
  static?: string | URL | false;
  /** URL prefix of the static folder (default `/static`). */
  staticUrl?: string;
  /** Development mode: stack traces in 500 pages, templates reloaded on every render. Never in production. */
  dev?: boolean;
  /** Sessions (see src/app/session); `req.session` is loaded before the hooks and committed before the head. */
  session?: SessionMiddleware;
  /** Limits for form, upload and JSON bodies (413 past them). */
  limits?: Partial<FormLimits>;
  /** Refuse redirects that leave the request's origin unless `redirect(url, s, {external: true})` (default true). */
  redirectGuard?: boolean;
  /** Options for the engine when the app listens itself. */
  server?: ServerOptions;
}

/**
 * App is a Flask-like application: routes with typed path parameters, hooks, error handlers, templates
 * and static files, served by the wirehttp engine through `app.handler`.
 *
 * Order for one request: mounted handlers (static files) -> routing -> session load -> form body parse
 * (for a matched route) -> before hooks in registration order (the first to return a response
 * short-circuits) -> the route handler (or 404/405, or an automatic OPTIONS) -> on a throw, onError
 * hooks then the error handler (by error class, then by status, then the built-in page) -> after hooks
 * in registration order (each may replace the response) -> session commit -> the response is written
 * -> uploaded temp files are deleted.
 */
export class App {
  private readonly router = new Router<Route>();
  private readonly names = new Map<string, CompiledPattern>();
  private readonly mounts: Mount<Handler>[] = [];
  private readonly hooks: Hooks = { before: [], after: [], onError: [], byStatus: new Map(), byClass: new Map() };
  private readonly dispatcher: Dispatcher;
  private templates: Templates | undefined;
  private readonly templatesFolder: string | undefined;
  readonly options: Readonly<AppOptions>;

  constructor(options: AppOptions = {}) {
    this.options = options;
    const root = options.root === undefined ? undefined : folderOf(options.root);
    this.templatesFolder = options.templates === false ? undefined : options.templates !== undefined ? toPath(options.templates) : root === undefined ? undefined : resolve(root, 'templates');
    const staticFolder = options.static === false ? undefined : options.static !== undefined ? toPath(options.static) : root === undefined ? undefined : resolve(root, 'static');
    const staticUrl = (options.staticUrl ?? '/static').replace(/\/+$/, '');
    if (staticFolder !== undefined && (options.static !== undefined || existsSync(staticFolder))) {
      this.mount(staticUrl, createStaticHandler({ root: staticFolder, listing: false }));
      this.names.set('static', compilePattern(`${staticUrl}/*filename`));
    }
    this.dispatcher = new Dispatcher({
      router: this.router,
      mounts: this.mounts,
      hooks: this.hooks,
      dev: options.dev === true,
      session: options.session,
      limits: { ...DEFAULT_FORM_LIMITS, ...options.limits },
      redirectGuard: options.redirectGuard !== false,
      services: { urlFor: (name, params, prefix) => this.urlFor(name, params, prefix), render: (name, ctx, req) => this.renderFor(name, ctx, req) },
    });
  }

  get<P extends string>(path: P, handler: RouteHandler<P>, options?: RouteOptions): this {
    return this.add(['GET'], path, handler, options);
  }
  post<P extends string>(path: P, handler: RouteHandler<P>, options?: RouteOptions): this {
    return this.add(['POST'], path, handler, options);
  }
  put<P extends string>(path: P, handler: RouteHandler<P>, options?: RouteOptions): this {
    return this.add(['PUT'], path, handler, options);
  }
  patch<P extends string>(path: P, handler: RouteHandler<P>, options?: RouteOptions): this {
    return this.add(['PATCH'], path, handler, options);
  }
  delete<P extends string>(path: P, handler: RouteHandler<P>, options?: RouteOptions): this {
    return this.add(['DELETE'], path, handler, options);
  }
  /** route registers `handler` for several methods (default GET). HEAD follows GET unless registered. */
  route<P extends string>(path: P, handler: RouteHandler<P>, options: RouteOptions & { methods?: readonly Method[] } = {}): this {
    return this.add(options.methods ?? ['GET'], path, handler, options);
  }

  /** mount serves every path under `prefix` with another handler (or App), which sees the path without it. */
  mount(prefix: string, handler: Handler | App): this {
    const p = prefix.replace(/\/+$/, '');
    if (!p.startsWith('/')) throw new TypeError(`mount prefix must start with '/': ${prefix}`);
    this.mounts.push({ prefix: p, handler: handler instanceof App ? handler.handler : handler });
    this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** before registers a hook run before the handler; returning a result answers with it instead. */
  before(fn: (req: AppRequest) => HandlerResult | void | Promise<HandlerResult | void>): this {
    this.hooks.before.push(fn);
    return this;
  }
  /** after registers a hook that may change the response, or return another one. Runs for errors too. */
  after(fn: Hooks['after'][number]): this {
    this.hooks.after.push(fn);
    return this;
  }
  /** onError registers an observer of every thrown error (for logging); it cannot change the answer. */
  onError(fn: (error: unknown, req: AppRequest) => void): this {
    this.hooks.onError.push(fn);
    return this;
  }
  /** errorHandler answers errors of a status (404, 500…) or of an Error class (and its subclasses). */
  errorHandler<E extends Error>(key: number | (abstract new (...args: never[]) => E), fn: ErrorHandler<E>): this {
    if (typeof key === 'number') this.hooks.byStatus.set(key, fn as ErrorHandler<Error>);
    else this.hooks.byClass.set(key, fn as ErrorHandler<Error>);
    return this;
  }

  /** handler is the engine Handler running this app: `createServer(app.handler)`. */
  readonly handler: Handler = (req: Request, res: Response) => {
    const found = this.mounts.length === 0 ? undefined : findMount(this.mounts, req.path);
    if (found !== undefined) return this.dispatcher.mounted(req, res, found.mount, found.rest);
    return this.dispatcher.dispatch(req, res);
  };

  /** listen starts an engine server for this app (default 127.0.0.1:5000). */
  async listen(port = 5000, host = '127.0.0.1'): Promise<{ server: Server; port: number; url: string }> {
    const server = createServer(this.handler, this.options.server);
    const address = await server.listen(port, host);
    const shown = host.includes(':') ? `[${host}]` : host;
    return { server, port: address.port, url: `http://${shown}:${address.port}/` };
  }

  /**
   * urlFor builds the path of the route named `name`, filling its parameters (percent-encoded); extra
   * parameters become the query string. Throws TypeError for an unknown name or a missing parameter.
   */
  urlFor(name: string, params: Record<string, string | number> = {}, prefix = ''): string {
    const pattern = this.names.get(name);
    if (pattern === undefined) throw new TypeError(`urlFor: no route named '${name}'`);
    const { path, rest } = buildPath(pattern, params);
    return `${prefix}${path}${rest.length === 0 ? '' : `?${new URLSearchParams(rest).toString()}`}`;
  }

  /** render renders a template from the templates folder with `urlFor` available (no request context). */
  render(name: string, context: Record<string, unknown> = {}): string {
    return this.getTemplates().render(name, context);
  }

  private renderFor(name: string, context: Record<string, unknown>, req: AppRequest): string {
    const urlFor = templateUrlFor((n, p) => this.urlFor(n, p, req.prefix));
    const session: Session | undefined = req.sessionValue;
    const base: Record<string, unknown> = { request: req, urlFor, url_for: urlFor };
    if (session !== undefined) {
      base.session = session;
      base.csrfToken = () => session.csrfToken();
      base.csrf_token = base.csrfToken;
      base.flashes = () => session.takeFlashes();
      base.get_flashed_messages = base.flashes;
    }
    return this.getTemplates().render(name, { ...base, ...context });
  }

  private getTemplates(): Templates {
    if (this.templates !== undefined) return this.templates;
    if (this.templatesFolder === undefined) throw new Error('templates: create the App with `root` or `templates`');
    const urlFor = templateUrlFor((n, p) => this.urlFor(n, p));
    this.templates = new Templates(this.templatesFolder, { dev: this.options.dev === true, globals: { urlFor, url_for: urlFor } });
    return this.templates;
  }

  private add(methods: readonly string[], path: string, handler: RouteHandler<string>, options: RouteOptions = {}): this {
    const pattern = compilePattern(path);
    const route: Route = { pattern: path, handler: handler as Route['handler'] };
    for (const method of methods) this.router.add(pattern, method.toUpperCase(), route);
    const name = options.name ?? (handler.name !== '' && handler.name !== 'anonymous' ? handler.name : undefined);
    if (name !== undefined) {
      const existing = this.names.get(name);
      if (existing !== undefined && existing.pattern !== path) {
        if (options.name !== undefined) throw new TypeError(`route name '${name}' already names ${existing.pattern}`);
      } else {
        this.names.set(name, pattern);
      }
    }
    return this;
  }
}

/** folderOf accepts a folder path, a folder URL, or a module's import.meta.url (its folder is used). */
function folderOf(root: string | URL): string {
  const path = toPath(root);
  try {
    if (statSync(path).isDirectory()) return path;
  } catch {
    // not there: a folder path is used as given, a module URL stands for its folder
    if (!(root instanceof URL || root.startsWith('file:'))) return path;
  }
  return dirname(path);
}

function toPath(p: string | URL): string {
  return p instanceof URL || p.startsWith('file:') ? fileURLToPath(p) : resolve(p);
}

