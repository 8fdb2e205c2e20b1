import { App, escapeHtml, html, type AppRequest, type SessionMiddleware } from '../../src/index.js';
import { createHandlerExample } from '../handler/handler.js';
import { createLabApp } from '../lab/lab.js';
import { createLabHandler } from '../lab-server/lab-server.js';

/** An example the demo site links: its mount point and what the index says about it. */
interface Listed {
  readonly path: string;
  readonly title: string;
  readonly about: string;
}

/**
 * LoginMounter is how the login example (examples/login, when present) joins the demo site: it adds
 * its routes to the demo app (which has sessions), or returns its own App, mounted at /login.
 */
export type LoginMounter = (app: App, session: SessionMiddleware) => App | void;

export interface DemoOptions {
  session?: SessionMiddleware;
  /** Adds the login example's routes to the demo app (they need `session`). */
  login?: LoginMounter;
  dev?: boolean;
}

/**
 * createDemoApp builds the site behind `npm start`: an index page linking every example, each mounted
 * under its own prefix (the lab app links correctly there because urlFor adds the prefix).
 */
export function createDemoApp(options: DemoOptions = {}): App {
  const app = new App({ session: options.session, dev: options.dev });
  const listed: Listed[] = [
    { path: '/lab/', title: 'Flask lab', about: 'the course assignment: a GET form and a POST form, values shown escaped (examples/lab)' },
    { path: '/handler/', title: 'http.server lab', about: 'do_GET answers with the path and headers, do_POST echoes the body, on the raw engine API (examples/handler)' },
    { path: '/lab-server/', title: 'Lab server', about: 'the web server assignment: index page, HEAD, a 404 page; /error and /busy fail on purpose (500, 503) (examples/lab-server)' },
  ];
  app.mount('/lab', createLabApp());
  app.mount('/handler', createHandlerExample());
  app.mount('/lab-server', createLabHandler());
  if (options.login !== undefined && options.session !== undefined) {
    const own = options.login(app, options.session);
    if (own instanceof App) app.mount('/login', own);
    listed.push({ path: '/login', title: 'Login', about: 'a login form, a session cookie, a protected page, logout, and the cookies your browser sent (examples/login)' });
  }
  app.get('/', (req) => html(indexPage(req, listed)), { name: 'index' });
  return app;
}

function indexPage(req: AppRequest, listed: readonly Listed[]): string {
  const items = listed.map((e) => `<li><a href="${escapeHtml(e.path)}">${escapeHtml(e.title)}</a>: ${escapeHtml(e.about)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wirehttp demo</title>
<style>:root{color-scheme:light dark;font-family:system-ui,sans-serif}body{margin:2rem auto;max-width:44rem;padding:0 1rem}code{font-size:.95em}</style>
</head><body>
<h1>wirehttp demo</h1>
<p>Web apps and servers written on wirehttp's own HTTP/1.1 engine. You reached it from ${escapeHtml(req.remoteAddress)}.</p>
<ul>
${items}
</ul>
<p>See the bytes: <code>npx wirehttp request -v ${escapeHtml(req.origin)}/lab/get?test=hello</code></p>
</body></html>
`;
}
