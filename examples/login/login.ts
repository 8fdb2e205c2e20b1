import { abort, App, redirect, type AppOptions, type AppRequest, type Session, type SessionMiddleware } from '../../src/index.js';
import { sourceFolder } from '../lab/source-folder.js';
import { ATTRIBUTES, EXAMPLES } from './cookie-examples.js';
import { checkPassword, DEMO_USER } from './users.js';

export interface LoginAppOptions extends Omit<AppOptions, 'session'> {
  session: SessionMiddleware;
}

/**
 * createLoginApp is the course's login example: a login form (CSRF token, scrypt password check), a
 * session cookie, a protected page that sends logged-out visitors to the form with a flash, logout,
 * and `/cookies`, which shows the cookies the browser sent and sets example cookies, one attribute each.
 * Every POST must carry the session's CSRF token (a before hook checks it).
 */
export function createLoginApp(options: LoginAppOptions): App {
  const app = new App({ templates: sourceFolder(import.meta.url, 'examples/login', 'templates'), ...options });

  app.before((req) => {
    // a page on another site can make the browser POST here, but it cannot read our token to include it
    if (req.method === 'POST' && !req.session.verifyCsrf(req.form.get('csrf_token'))) abort(403, 'The form is out of date or came from another site: go back, reload the page and try again.');
  });

  app.get('/', (req) => (currentUser(req) !== undefined ? redirect(req.urlFor('account'), 303) : page(req, 'login.html', { next: req.args.get('next') ?? '', demo: DEMO_USER })), { name: 'login' });

  app.post('/', async (req) => {
    const user = req.form.get('user') ?? '';
    if (!(await checkPassword(user, req.form.get('password') ?? ''))) {
      req.session.flash('Wrong user name or password.', 'error');
      return redirect(req.urlFor('login', nextParam(req.form.get('next'))), 303);
    }
    await req.session.regenerate(); // a new id on login: an id planted before login is worth nothing
    req.session.set('user', user);
    req.session.flash(`Welcome, ${user}. You are logged in.`, 'success');
    return redirect(safeNext(req.form.get('next')) ?? req.urlFor('account'), 303);
  }, { name: 'login_post' });

  app.get('/account', (req) => {
    const user = currentUser(req);
    if (user === undefined) {
      req.session.flash('Please log in to see that page.', 'warning');
      return redirect(req.urlFor('login', { next: `${req.prefix}${req.path}` }), 303);
    }
    return page(req, 'account.html', { user });
  }, { name: 'account' });

  app.post('/logout', async (req) => {
    await req.session.destroy();
    req.session.flash('You are logged out.', 'success');
    return redirect(req.urlFor('login'), 303);
  }, { name: 'logout' });

  app.get('/cookies', (req) => cookiesPage(req, false), { name: 'cookies' });
  app.get('/cookies/deeper', (req) => cookiesPage(req, true), { name: 'cookies_deeper' });

  app.post('/cookies', (req) => {
    const example = EXAMPLES.find((e) => e.key === req.form.get('example'));
    if (example === undefined) abort(400, 'Unknown example cookie');
    const host = req.url.hostname;
    if (example.key === 'domain' && host.startsWith('[')) {
      req.session.flash('Domain cannot name an IPv6 address: open this page by a host name to try it.', 'warning');
      return redirect(req.urlFor('cookies'), 303);
    }
    req.session.flash(example.watch, 'info');
    const [h, m, sec] = new Date().toISOString().slice(11, 19).split(':');
    const value = `set-${h}h${m}m${sec}s-UTC`; // no spaces or colons: they would arrive percent-encoded
    return redirect(req.urlFor('cookies'), 303).setCookie(example.name, value, example.attrs(host, req.prefix));
  }, { name: 'set_cookie' });

  app.post('/cookies/clear', (req) => {
    const res = redirect(req.urlFor('cookies'), 303);
    // a cookie is only deleted by a Set-Cookie with the same name, Path and Domain it was set with
    for (const e of EXAMPLES) {
      const { path, domain, secure, sameSite } = e.attrs(req.url.hostname, req.prefix);
      if (e.key === 'domain' && req.url.hostname.startsWith('[')) continue;
      res.deleteCookie(e.name, { path, domain, secure, sameSite });
    }
    req.session.flash('The example cookies are deleted (Max-Age=0). The session cookie stays.', 'info');
    return res;
  }, { name: 'clear_cookies' });

  return app;
}

/** mountLogin is how the demo site adds this example (at /login), sharing the demo's sessions. */
export function mountLogin(_site: App, session: SessionMiddleware): App {
  return createLoginApp({ session });
}

function currentUser(req: AppRequest): string | undefined {
  const user = req.session.get<unknown>('user');
  return typeof user === 'string' ? user : undefined;
}

/** safeNext accepts only a path on this site (`/x`, not `//evil.example` or `/\evil`), else undefined. */
function safeNext(next: string | null): string | undefined {
  return next !== null && /^\/(?![/\\])/.test(next) ? next : undefined;
}

function nextParam(next: string | null): Record<string, string> {
  const safe = safeNext(next);
  return safe === undefined ? {} : { next: safe };
}

/** page renders a template with the user and the queued flashes (with their categories when the session keeps them). */
function page(req: AppRequest, name: string, context: Record<string, unknown>): string {
  return req.render(name, { user: currentUser(req), messages: takeMessages(req.session), ...context });
}

function takeMessages(session: Session): Array<{ message: string; category: string }> {
  const s = session as Session & { takeFlashEntries?: () => Array<{ message: string; category: string }> };
  return typeof s.takeFlashEntries === 'function' ? s.takeFlashEntries() : session.takeFlashes().map((message) => ({ message, category: 'message' }));
}

function cookiesPage(req: AppRequest, deeper: boolean): string {
  const sessionName = 'session';
  const sent = Object.entries(req.cookies).map(([name, value]) => ({
    name,
    // the session id is HttpOnly for a reason: the page does not print it either
    value: name === sessionName ? `${value.slice(0, 6)}… (signed session id, hidden)` : value,
  }));
  return page(req, 'cookies.html', { sent, deeper, examples: EXAMPLES, attributes: ATTRIBUTES, rawHeader: req.headers.getAll('cookie').length > 0 });
}
