import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from '../app.js';
import { parseCookies } from '../cookies.js';
import { serve } from '../harness.test-util.js';
import { redirect } from '../response.js';
import type { CookieAttributes, Session, SessionMiddleware } from '../session-types.js';
import { createSessions, type ServerSession } from './index.js';
import { signId } from './signing.js';
import { MemoryStore } from './store.js';

interface Sent {
  name: string;
  value: string;
  attrs: CookieAttributes;
}

/** A browser in miniature: runs one request through load -> handler -> commit, keeping the cookie. */
function client(mw: SessionMiddleware, secure = false) {
  const jar: Record<string, string> = {};
  return {
    jar,
    async request(handler: (s: Session) => unknown | Promise<unknown> = () => {}): Promise<Sent[]> {
      const session = await mw.load({ cookies: { ...jar }, secure });
      await handler(session);
      const sent: Sent[] = [];
      await mw.commit(session, (name, value, attrs) => void sent.push({ name, value, attrs }));
      for (const c of sent) {
        if (c.attrs.maxAge === 0) delete jar[c.name];
        else jar[c.name] = c.value;
      }
      return sent;
    },
  };
}

test('sessions: no cookie until there is data; then HttpOnly, SameSite=Lax, Path=/, signed id; not resent for reads', async () => {
  const mw = createSessions({ secret: 's3cret' });
  const c = client(mw);
  assert.deepEqual(await c.request((s) => s.get('x')), [], 'an unused session costs nothing');
  const [cookie, ...more] = await c.request((s) => s.set('user', 'ann'));
  assert.equal(more.length, 0);
  assert.equal(cookie!.name, 'session');
  assert.deepEqual(cookie!.attrs, { httpOnly: true, sameSite: 'lax', path: '/', secure: false });
  let id = '';
  assert.deepEqual(await c.request((s) => void (id = s.id)), [], 'an unchanged session sends no Set-Cookie');
  assert.equal(cookie!.value, signId(id, 's3cret'));
  assert.equal(await (async () => { let v: unknown; await c.request((s) => void (v = s.get('user'))); return v; })(), 'ann');
});

test('sessions: Secure over TLS (or when forced), Max-Age with maxAgeSeconds, custom cookie name', async () => {
  const [tls] = await client(createSessions({ secret: 'k' }), true).request((s) => s.set('a', 1));
  assert.equal(tls!.attrs.secure, true);
  const [forced] = await client(createSessions({ secret: 'k', secure: true, maxAgeSeconds: 600, cookieName: 'sid' })).request((s) => s.set('a', 1));
  assert.equal(forced!.name, 'sid');
  assert.equal(forced!.attrs.secure, true);
  assert.equal(forced!.attrs.maxAge, 600);
  assert.throws(() => createSessions({ secret: 'k', maxAgeSeconds: 0 }), RangeError);
  assert.throws(() => createSessions({ secret: '' }), TypeError);
  assert.throws(() => createSessions({ secret: [] }), TypeError);
});

test('sessions: a tampered, foreign-signed or unknown id gives a fresh empty session and the cookie is deleted', async () => {
  const store = new MemoryStore();
  const mw = createSessions({ secret: 'k', store });
  const c = client(mw);
  await c.request((s) => s.set('user', 'ann'));
  const good = c.jar.session!;
  const id = good.slice(0, good.indexOf('.'));
  for (const bad of [id, `${id}.AAAA`, signId(id, 'other-secret'), signId('made-up-id', 'k'), `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`]) {
    const s = await mw.load({ cookies: { session: bad }, secure: false });
    assert.equal(s.get('user'), undefined, bad);
    assert.notEqual(s.id, id, 'never the id the client chose');
    const sent: Sent[] = [];
    await mw.commit(s, (name, value, attrs) => void sent.push({ name, value, attrs }));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.attrs.maxAge, 0, 'the bad cookie is deleted');
  }
  assert.equal((await mw.load({ cookies: { session: good }, secure: false })).get('user'), 'ann');
});

test('sessions: secret rotation: sign with the first, accept any', async () => {
  const store = new MemoryStore();
  const old = client(createSessions({ secret: 'old', store }));
  await old.request((s) => s.set('user', 'ann'));
  const rotated = createSessions({ secret: ['new', 'old'], store });
  const s = await rotated.load({ cookies: { ...old.jar }, secure: false });
  assert.equal(s.get('user'), 'ann');
  await s.regenerate();
  const sent: Sent[] = [];
  await rotated.commit(s, (name, value, attrs) => void sent.push({ name, value, attrs }));
  assert.equal(sent[0]!.value, signId(s.id, 'new'));
  const dropped = createSessions({ secret: 'new', store });
  assert.equal((await dropped.load({ cookies: { ...old.jar }, secure: false })).get('user'), undefined);
});

test('sessions: regenerate keeps the data under a new id, the old id is dead, the CSRF token changes', async () => {
  const store = new MemoryStore();
  const mw = createSessions({ secret: 'k', store });
  const c = client(mw);
  let before = '';
  let token = '';
  await c.request((s) => {
    s.set('cart', [1, 2]);
    token = s.csrfToken();
    before = s.id;
  });
  const planted = c.jar.session!;
  let after = '';
  const sent = await c.request(async (s) => {
    await s.regenerate();
    s.set('user', 'ann');
    after = s.id;
  });
  assert.notEqual(after, before);
  assert.equal(sent.length, 1, 'the new id is sent');
  assert.equal(await store.get(before), undefined, 'the old entry is gone');
  assert.equal((await mw.load({ cookies: { session: planted }, secure: false })).get('user'), undefined, 'the planted id is worthless');
  await c.request((s) => {
    assert.deepEqual(s.get('cart'), [1, 2]);
    assert.equal(s.get('user'), 'ann');
    assert.equal(s.verifyCsrf(token), false, 'the old token is refused');
    assert.notEqual(s.csrfToken(), token);
  });
});

test('sessions: destroy empties the store entry and deletes the cookie', async () => {
  const store = new MemoryStore();
  const mw = createSessions({ secret: 'k', store });
  const c = client(mw);
  let id = '';
  await c.request((s) => {
    s.set('user', 'ann');
    id = s.id;
  });
  const sent = await c.request((s) => s.destroy());
  assert.equal(sent[0]!.attrs.maxAge, 0);
  assert.equal(await store.get(id), undefined);
  assert.equal(store.size, 0);
  // logout then a flash: a new session under a new id carries it
  const again = client(mw);
  await again.request((s) => s.set('user', 'bob'));
  const after = await again.request(async (s) => {
    await s.destroy();
    s.flash('bye');
  });
  assert.equal(after.length, 1);
  assert.notEqual(after[0]!.attrs.maxAge, 0);
  await again.request((s) => assert.deepEqual(s.takeFlashes(), ['bye']));
});

test('sessions: flashes live until read once, with categories', async () => {
  const c = client(createSessions({ secret: 'k' }));
  await c.request((s) => {
    s.flash('saved');
    s.flash('careful', 'warning');
  });
  await c.request((s) => assert.deepEqual((s as ServerSession).takeFlashEntries(), [{ message: 'saved', category: 'message' }, { message: 'careful', category: 'warning' }]));
  await c.request((s) => assert.deepEqual(s.takeFlashes(), []));
});

test('sessions: CSRF token is stable per session and checked exactly', async () => {
  const c = client(createSessions({ secret: 'k' }));
  let token = '';
  const sent = await c.request((s) => void (token = s.csrfToken()));
  assert.equal(sent.length, 1, 'making a token starts the session');
  assert.match(token, /^[\w-]{43}$/);
  await c.request((s) => {
    assert.equal(s.csrfToken(), token);
    const rows: Array<[string | null | undefined, boolean]> = [[token, true], [`${token}x`, false], [token.slice(1), false], ['', false], [null, false], [undefined, false]];
    for (const [given, want] of rows) assert.equal(s.verifyCsrf(given), want, String(given));
  });
  const fresh = await createSessions({ secret: 'k' }).load({ cookies: {}, secure: false });
  assert.equal(fresh.verifyCsrf(''), false, 'no token yet: nothing verifies');
});

test('sessions: store TTL follows maxAgeSeconds; an idle session expires, a used one is kept alive', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  const c = client(createSessions({ secret: 'k', store, maxAgeSeconds: 60 }));
  await c.request((s) => s.set('user', 'ann'));
  now = 50_000;
  await c.request((s) => assert.equal(s.get('user'), 'ann'));
  now = 100_000; // 50 s after the last use
  await c.request((s) => assert.equal(s.get('user'), 'ann'));
  now = 161_000;
  await c.request((s) => assert.equal(s.get('user'), undefined));
});

test('sessions: SESSION_SECRET from the environment', async () => {
  const saved = process.env.SESSION_SECRET;
  process.env.SESSION_SECRET = 'from-env';
  try {
    const [cookie] = await client(createSessions()).request((s) => s.set('a', 1));
    assert.equal(cookie!.value.slice(cookie!.value.indexOf('.')), signId(cookie!.value.slice(0, cookie!.value.indexOf('.')), 'from-env').slice(cookie!.value.indexOf('.')));
  } finally {
    if (saved === undefined) delete process.env.SESSION_SECRET;
    else process.env.SESSION_SECRET = saved;
  }
});

test('sessions: through an App: login with regenerate, Set-Cookie on the wire, logout', async () => {
  const app = new App({ session: createSessions({ secret: 'k' }) });
  app.post('/login', async (req) => {
    await req.session.regenerate();
    req.session.set('user', 'ann');
    return redirect('/me', 303);
  });
  app.get('/me', (req) => ({ user: req.session.get('user') ?? null }));
  app.post('/logout', async (req) => {
    await req.session.destroy();
    return redirect('/me', 303);
  });
  const s = await serve(app);
  try {
    const me = await s.fetch('/me');
    assert.equal(me.header('set-cookie'), undefined);
    const login = await s.fetch('/login', { method: 'POST' });
    const setCookie = login.header('set-cookie')!;
    assert.match(setCookie, /^session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = `session=${parseCookies([setCookie.split(';')[0]!]).session}`;
    const after = await s.fetch('/me', { headers: { Cookie: cookie } });
    assert.deepEqual(JSON.parse(after.body), { user: 'ann' });
    assert.equal(after.header('set-cookie'), undefined);
    const out = await s.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
    assert.match(out.header('set-cookie')!, /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    assert.deepEqual(JSON.parse((await s.fetch('/me', { headers: { Cookie: cookie } })).body), { user: null });
  } finally {
    await s.close();
  }
});
