import { createRequire } from 'node:module';
import type nunjucks from 'nunjucks';

const require = createRequire(import.meta.url);
let library: typeof nunjucks | undefined;

/**
 * nunjucksLibrary loads nunjucks on first use (an app without templates never pays for it) and then
 * undoes a side effect of loading it: nunjucks makes SafeString.prototype with
 * Object.create(String.prototype), V8 turns String.prototype into a dictionary in answer, and string
 * receivers never make it fast again, so every `text.charCodeAt(…)` in optimized code becomes a generic
 * property lookup (measured: 6-7% more CPU per request on the engine's hot path).
 */
function nunjucksLibrary(): typeof nunjucks {
  if (library === undefined) {
    library = require('nunjucks') as typeof nunjucks;
    makePrototypeFast(String.prototype);
  }
  return library;
}

/**
 * makePrototypeFast asks V8 to give `proto` fast properties again: a property lookup that misses on an
 * object inheriting from it makes V8 optimize every prototype on the way (bluebird's toFastProperties).
 * The loop outlasts V8's lazy feedback allocation, before which lookups are not recorded.
 */
function makePrototypeFast(proto: object): void {
  const receiver = Object.create(proto) as { wirehttpProbe?: unknown };
  const miss = (): boolean => receiver.wirehttpProbe === undefined;
  for (let i = 0; i < 1000; i++) miss();
}

/** UrlFor is reverse routing as templates see it: `urlFor('user', {id: 1})` or `url_for('user', id=1)`. */
export type UrlFor = (name: string, params?: Record<string, string | number>) => string;

/**
 * Templates wraps a nunjucks Environment over one folder with autoescape on, so `{{ value }}` is
 * HTML-escaped unless marked `| safe`. Templates are compiled once and cached (`dev` reloads them on
 * every render). Inheritance (`{% extends %}`, `{% block %}`) and includes resolve inside the folder.
 */
export class Templates {
  private readonly env: nunjucks.Environment;

  constructor(folder: string, options: { dev: boolean; globals: Record<string, unknown> }) {
    const lib = nunjucksLibrary();
    const loader = new lib.FileSystemLoader(folder, { noCache: options.dev });
    this.env = new lib.Environment(loader, { autoescape: true, throwOnUndefined: false });
    for (const [name, value] of Object.entries(options.globals)) this.env.addGlobal(name, value);
  }

  /** render renders `name` with `context` (synchronously: the loader reads from disk once, then caches). */
  render(name: string, context: Record<string, unknown>): string {
    return this.env.render(name, context);
  }

  /** renderString renders template source text (for tests and one-off pages). */
  renderString(source: string, context: Record<string, unknown>): string {
    return this.env.renderString(source, context);
  }
}

/**
 * templateUrlFor adapts urlFor to nunjucks calls: keyword arguments arrive as a trailing object
 * flagged `__keywords`, so `url_for('user', id=1)` and `urlFor('user', {id: 1})` both work.
 */
export function templateUrlFor(urlFor: UrlFor): (name: string, ...rest: unknown[]) => string {
  return (name, ...rest) => {
    const params: Record<string, string | number> = {};
    for (const arg of rest) {
      if (arg === null || typeof arg !== 'object') continue;
      for (const [k, v] of Object.entries(arg as Record<string, unknown>)) {
        if (k !== '__keywords' && (typeof v === 'string' || typeof v === 'number')) params[k] = v;
      }
    }
    return urlFor(name, params);
  };
}
