import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { App } from './app.js';
import { serve } from './harness.test-util.js';
import { redirect } from './response.js';
import type { CookieAttributes, Session, SessionMiddleware } from './session-types.js';

/** A memory session middleware written against the seam only, as src/app/session/ will be. */
function fakeSessions(): SessionMiddleware & { loads: Array<{ cookies: Record<string, string>; secure: boolean }> } {
  const store = new Map<string, Map<string, unknown>>();
  let next = 1;
  const loads: Array<{ cookies: Record<string, string>; secure: boolean }> = [];
  return {
    loads,
    async load(req) {
      loads.push(req);
      const id = req.cookies.sid !== undefined && store.has(req.cookies.sid) ? req.cookies.sid : `s${next++}`;
      const data = store.get(id) ?? new Map<string, unknown>();
      let flashes: string[] = (data.get('_flashes') as string[] | undefined) ?? [];
      const session: Session & { id: string } = {
        id,
        get: <T>(k: string) => data.get(k) as T | undefined,
        set: (k, v) => void data.set(k, v),
        delete: (k) => void data.delete(k),
        clear: () => data.clear(),
        regenerate() {
          store.delete(session.id);
          session.id = `s${next++}`;
        },
        destroy() {
          store.delete(session.id);
          data.clear();
        },
        flash: (m) => void flashes.push(m),
        takeFlashes: () => flashes.splice(0),
        csrfToken: () => `csrf-${session.id}`,
        verifyCsrf: (t) => t === `csrf-${session.id}`,
      };
      void flashes;
      flashes = flashes.slice();
      (session as unknown as { data: Map<string, unknown> }).data = data;
      (session as unknown as { flashesRef: () => string[] }).flashesRef = () => flashes;
      return session;
    },
    async commit(session, setCookie: (n: string, v: string, a: CookieAttributes) => void) {
      const s = session as Session & { id: string; data: Map<string, unknown>; flashesRef: () => string[] };
      s.data.set('_flashes', s.flashesRef());
      store.set(s.id, s.data);
      setCookie('sid', s.id, { httpOnly: true, sameSite: 'lax', path: '/' });
    },
  };
}

test('sessions: loaded before hooks with the request cookies, committed with Set-Cookie before the head', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirehttp-seam-'));
  await mkdir(join(dir, 'templates'));
  await writeFile(join(dir, 'templates', 'form.html'), '<input name="csrf" value="{{ csrf_token() }}">{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}');
  const sessions = fakeSessions();
  const app = new App({ root: dir, session: sessions });
  let seenInBefore: string | undefined;
  app.before((req) => {
    seenInBefore = req.session.get<string>('user');
    if (req.method === 'POST' && !req.session.verifyCsrf(req.form.get('csrf'))) return 'bad csrf';
  });
  app.post('/login', async (req) => {
    await req.session.regenerate();
    req.session.set('user', req.form.get('user'));
    req.session.flash('welcome <b>');
    return redirect('/form', 303);
  });
  app.get('/form', (req) => req.render('form.html'));
  app.get('/me', (req) => ({ user: req.session.get('user') ?? null }));
  const s = await serve(app);
  try {
    const first = await s.fetch('/me');
    assert.deepEqual(JSON.parse(first.body), { user: null });
    const sid = /sid=(\w+)/.exec(first.header('set-cookie')!)![1]!;
    assert.match(first.header('set-cookie')!, /HttpOnly; SameSite=Lax/);

    const refused = await s.fetch('/login', { method: 'POST', headers: { Cookie: `sid=${sid}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=ann&csrf=wrong' });
    assert.equal(refused.body, 'bad csrf');

    const login = await s.fetch('/login', { method: 'POST', headers: { Cookie: `sid=${sid}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `user=ann&csrf=csrf-${sid}` });
    assert.equal(login.status, 303);
    const rotated = /sid=(\w+)/.exec(login.header('set-cookie')!)![1]!;
    assert.notEqual(rotated, sid, 'regenerate() gave a new id');

    const form = await s.fetch('/form', { headers: { Cookie: `sid=${rotated}` } });
    assert.equal(form.body, `<input name="csrf" value="csrf-${rotated}"><p>welcome &lt;b&gt;</p>`);
    const me = await s.fetch('/me', { headers: { Cookie: `sid=${rotated}` } });
    assert.deepEqual(JSON.parse(me.body), { user: 'ann' });
    assert.equal(seenInBefore, 'ann');
    const last = sessions.loads.at(-1)!;
    assert.deepEqual({ cookies: { ...last.cookies }, secure: last.secure }, { cookies: { sid: rotated }, secure: false });
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('sessions: a failing store is a 500 without details; req.session without the option says so', async () => {
  const broken: SessionMiddleware = {
    load: () => Promise.reject(new Error('redis down at 10.0.0.1')),
    commit: () => Promise.resolve(),
  };
  const app = new App({ session: broken });
  app.get('/', () => 'x');
  const s = await serve(app);
  const r = await s.fetch('/');
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /redis|10\.0/);
  await s.close();

  const plain = new App({ dev: true });
  plain.get('/', (req) => String(req.session));
  const p = await serve(plain);
  assert.match((await p.fetch('/')).body, /session/);
  await p.close();
});
