import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, createSessions } from '../../src/index.js';
import { serve, type Reply, type Served } from '../../src/app/harness.test-util.js';
import { createLoginApp } from './login.js';
import { checkPassword } from './users.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** A tiny browser: keeps the cookies it is given (name=value only) and sends them back. */
function browser(s: Served) {
  const jar = new Map<string, string>();
  const take = (r: Reply): Reply => {
    for (const field of r.headers('set-cookie')) {
      const [pair] = field.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      if (/Max-Age=0/.test(field)) jar.delete(name);
      else jar.set(name, pair!.slice(eq + 1));
    }
    return r;
  };
  const cookie = (): Record<string, string> => (jar.size === 0 ? {} : { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') });
  return {
    jar,
    get: async (path: string) => take(await s.fetch(path, { headers: cookie() })),
    post: async (path: string, fields: Record<string, string>) => take(await s.fetch(path, { method: 'POST', headers: { ...FORM, ...cookie() }, body: new URLSearchParams(fields).toString() })),
    token: (r: Reply) => /name="csrf_token" value="([^"]+)"/.exec(r.body)![1]!,
  };
}

async function site(): Promise<Served> {
  const app = new App();
  app.mount('/login', createLoginApp({ session: createSessions({ secret: 'test' }) }));
  return serve(app);
}

test('login: the protected page sends a visitor to the form with a flash; login rotates the id; logout ends it', async () => {
  const s = await site();
  const b = browser(s);
  try {
    const away = await b.get('/login/account');
    assert.equal(away.status, 303);
    assert.equal(away.header('location'), '/login/?next=%2Flogin%2Faccount');
    const form = await b.get(away.header('location')!);
    assert.match(form.body, /Please log in to see that page/);
    assert.match(form.body, /name="next" value="\/login\/account"/);
    const token = b.token(form);
    const before = b.jar.get('session');
    assert.ok(before !== undefined, 'the form page started a session');

    assert.equal((await b.post('/login/', { user: 'student', password: 'networking' })).status, 403, 'no CSRF token');
    const wrong = await b.post('/login/', { csrf_token: token, user: 'student', password: 'nope', next: '/login/account' });
    assert.equal(wrong.header('location'), '/login/?next=%2Flogin%2Faccount');
    assert.match((await b.get('/login/')).body, /class="flash error"[^>]*>Wrong user name or password/);

    const ok = await b.post('/login/', { csrf_token: token, user: 'student', password: 'networking', next: '/login/account' });
    assert.equal(ok.status, 303);
    assert.equal(ok.header('location'), '/login/account');
    assert.match(ok.header('set-cookie')!, /^session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.notEqual(b.jar.get('session'), before, 'a new session id on login');
    const account = await b.get('/login/account');
    assert.match(account.body, /<strong id="user">student<\/strong>/);
    assert.match(account.body, /Welcome, student/);
    assert.match((await b.get('/login/')).header('location')!, /\/login\/account$/, 'a logged-in user skips the form');

    const loggedIn = b.jar.get('session')!;
    const newToken = b.token(account);
    assert.notEqual(newToken, token, 'the CSRF token changed with the id');
    assert.equal((await b.post('/login/logout', { csrf_token: token })).status, 403, 'the pre-login token is dead');
    const out = await b.post('/login/logout', { csrf_token: newToken });
    assert.equal(out.header('location'), '/login/');
    assert.match((await b.get('/login/')).body, /You are logged out/);
    const replay = await s.fetch('/login/account', { headers: { Cookie: `session=${loggedIn}` } });
    assert.equal(replay.status, 303, 'the old session cookie no longer logs in');
  } finally {
    await s.close();
  }
});

test('login: next must be a path on this site', async () => {
  const s = await site();
  try {
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '/login/cookies']) {
      const b = browser(s);
      const token = b.token(await b.get('/login/'));
      const r = await b.post('/login/', { csrf_token: token, user: 'student', password: 'networking', next });
      assert.equal(r.header('location'), next === '/login/cookies' ? next : '/login/account', next);
    }
  } finally {
    await s.close();
  }
});

test('login: /cookies lists what was sent (the session id hidden) and sets one example cookie per attribute', async () => {
  const s = await site();
  const b = browser(s);
  try {
    const page = await b.get('/login/cookies');
    for (const attr of ['Expires', 'Max-Age', 'Path', 'Domain', 'Secure', 'HttpOnly', 'SameSite']) assert.match(page.body, new RegExp(`<td>${attr}</td>`));
    const token = b.token(page);
    const rows: Array<{ example: string; want: RegExp }> = [
      { example: 'session', want: /^demo_plain=set-\d\dh\d\dm\d\ds-UTC; Path=\/$/ },
      { example: 'expires', want: /^demo_expires=[^;]+; Path=\/; Expires=\w{3}, \d\d \w{3} \d{4} [\d:]+ GMT$/ },
      { example: 'max-age', want: /^demo_max_age=[^;]+; Max-Age=30; Path=\/$/ },
      { example: 'path', want: /^demo_path=[^;]+; Path=\/login\/cookies\/deeper$/ },
      { example: 'domain', want: /^demo_domain=[^;]+; Domain=127\.0\.0\.1; Path=\/$/ },
      { example: 'secure', want: /^demo_secure=[^;]+; Path=\/; Secure$/ },
      { example: 'httponly', want: /^demo_httponly=[^;]+; Path=\/; HttpOnly$/ },
      { example: 'strict', want: /^demo_strict=[^;]+; Path=\/; SameSite=Strict$/ },
      { example: 'lax', want: /^demo_lax=[^;]+; Path=\/; SameSite=Lax$/ },
      { example: 'none', want: /^demo_none=[^;]+; Path=\/; Secure; SameSite=None$/ },
    ];
    for (const row of rows) {
      const r = await b.post('/login/cookies', { csrf_token: token, example: row.example });
      assert.equal(r.status, 303, row.example);
      assert.match(r.header('set-cookie')!, row.want, row.example);
    }
    const after = await b.get('/login/cookies');
    assert.match(after.body, /<td>demo_max_age<\/td><td>set-\d\dh\d\dm\d\ds-UTC<\/td>/);
    assert.match(after.body, /<td>session<\/td><td>[\w-]{6}… \(signed session id, hidden\)<\/td>/);
    assert.doesNotMatch(after.body, new RegExp(b.jar.get('session')!.slice(0, 20)));
    assert.equal((await b.post('/login/cookies', { csrf_token: token, example: 'nope' })).status, 400);
    const cleared = await b.post('/login/cookies/clear', { csrf_token: token });
    const fields = cleared.headers('set-cookie');
    assert.equal(fields.length, 10);
    assert.ok(fields.every((f) => /Max-Age=0/.test(f)));
    assert.ok(fields.some((f) => /^demo_path=; Max-Age=0; Path=\/login\/cookies\/deeper;/.test(f)), 'deleted with the Path it was set with');
  } finally {
    await s.close();
  }
});

test('login: passwords are checked against the scrypt hash', async () => {
  assert.equal(await checkPassword('student', 'networking'), true);
  assert.equal(await checkPassword('student', 'Networking'), false);
  assert.equal(await checkPassword('nobody', 'networking'), false);
  assert.equal(await checkPassword('student', ''), false);
});
