import nunjucks from 'nunjucks';

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
    const loader = new nunjucks.FileSystemLoader(folder, { noCache: options.dev });
    this.env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
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
