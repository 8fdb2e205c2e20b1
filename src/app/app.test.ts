import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpError } from '../server/http-error.js';
import { App } from './app.js';
import { serve, type Served } from './harness.test-util.js';
import { abort, html, json, redirect, text } from './response.js';

class Teapot extends Error {}
class SmallTeapot extends Teapot {}

let s: Served;
const seen: unknown[] = [];

before(async () => {
  const app = new App();
  app.get('/', () => 'hello');
  app.get('/users/:id', (req) => ({ id: req.params.id, name: `user ${req.params.id}` }), { name: 'user' });
  app.route('/things', (req) => text(`${req.method} things`), { methods: ['GET', 'POST', 'PUT'] });
  app.get('/docs/', () => 'docs');
  app.get('/args', (req) => ({ tag: req.args.getAll('tag'), q: req.args.get('q'), missing: req.args.get('nope') }));
  app.post('/json', async (req) => ({ got: await req.json() }));
  app.get('/async', async () => json({ later: true }, 201));
  app.get('/bytes', () => new Uint8Array([1, 2, 3]));
  app.get('/nothing', (() => undefined) as unknown as () => string);
  app.get('/boom', () => {
    throw new Error('secret database password in /srv/app');
  });
  app.get('/abort', () => abort(403, 'not yours'));
  let undefinedThrows = 0;
  app.get('/throw-undefined', () => {
    undefinedThrows++;
    throw undefined;
  });
  app.get('/throw-count', () => ({ n: undefinedThrows }));
  app.get('/teapot', () => {
    throw new SmallTeapot('short and stout');
  });
  app.get('/cookies', (req) => ({ cookies: req.cookies }));
  app.get('/set-cookie', () =>
    html('ok')
      .setCookie('sid', 'a b;c', { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 3600, domain: 'example.com', partitioned: true, expires: new Date(Date.UTC(2030, 0, 1)) })
      .setCookie('theme', 'dark', { sameSite: 'strict' })
      .deleteCookie('old', { path: '/x' }),
  );
  app.get('/bad-header', (req) => html('x').header('X-Echo', req.args.get('v') ?? ''));
  app.get('/bad-cookie', () => html('x').setCookie('bad name', 'v'));
  app.get('/go', (req) => redirect(req.args.get('next') ?? '/', Number(req.args.get('status') ?? 302) as 302));
  app.get('/external', () => redirect('https://example.org/x', 302, { external: true }));
  app.get('/whoami', (req) => ({ remote: req.remoteAddress, url: req.url.href, route: req.route }));
  app.errorHandler(Teapot, (e) => text(`teapot: ${e.message}`, 418));
  app.errorHandler(404, (_e, req) => `<p>custom 404 for ${req.path.length} chars</p>`);
  app.onError((e) => seen.push(e));
  s = await serve(app);
});
after(() => s.close());

test('string -> text/html, object -> JSON, bytes -> octet-stream; nosniff on every answer', async () => {
  const a = await s.fetch('/');
  assert.equal(a.status, 200);
  assert.equal(a.header('content-type'), 'text/html; charset=utf-8');
  assert.equal(a.header('x-content-type-options'), 'nosniff');
  assert.equal(a.body, 'hello');
  const b = await s.fetch('/users/7');
  assert.equal(b.header('content-type'), 'application/json; charset=utf-8');
  assert.deepEqual(JSON.parse(b.body), { id: '7', name: 'user 7' });
  const c = await s.fetch('/bytes');
  assert.equal(c.header('content-type'), 'application/octet-stream');
  assert.equal(c.body, '\x01\x02\x03');
  const d = await s.fetch('/async');
  assert.equal(d.status, 201);
});

test('405 with Allow; automatic HEAD and OPTIONS', async () => {
  const del = await s.fetch('/users/1', { method: 'DELETE' });
  assert.equal(del.status, 405);
  assert.equal(del.header('allow'), 'GET, HEAD, OPTIONS');
  const opt = await s.fetch('/things', { method: 'OPTIONS' });
  assert.equal(opt.status, 204);
  assert.equal(opt.header('allow'), 'GET, POST, PUT, HEAD, OPTIONS');
  const head = await s.fetch('/users/3', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.header('content-length'), String('{"id":"3","name":"user 3"}'.length));
  const put = await s.fetch('/things', { method: 'PUT' });
  assert.equal(put.body, 'PUT things');
});

test('a path without the slash of a route registered with one redirects (308)', async () => {
  const r = await s.fetch('/docs?x=1');
  assert.equal(r.status, 308);
  assert.equal(r.header('location'), '/docs/?x=1');
});

test('args keep repeated keys and decode + and %', async () => {
  const r = await s.fetch('/args?tag=a&tag=b%20c&q=x+y');
  assert.deepEqual(JSON.parse(r.body), { tag: ['a', 'b c'], q: 'x y', missing: null });
});

test('json(): parsed body; 415 for another type; 400 for broken JSON', async () => {
  const ok = await s.fetch('/json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":[1,2]}' });
  assert.deepEqual(JSON.parse(ok.body), { got: { a: [1, 2] } });
  const wrong = await s.fetch('/json', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
  assert.equal(wrong.status, 415);
  const broken = await s.fetch('/json', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{' });
  assert.equal(broken.status, 400);
  assert.equal(JSON.parse(broken.body).error.status, 400);
});

test('errors: 500 never shows the message or a stack; JSON for clients that prefer it', async () => {
  const page = await s.fetch('/boom');
  assert.equal(page.status, 500);
  assert.doesNotMatch(page.body, /secret|\/srv|at .*\.js/);
  const api = await s.fetch('/boom', { headers: { Accept: 'application/json' } });
  assert.deepEqual(JSON.parse(api.body), { error: { status: 500, message: 'Internal Server Error' } });
  assert.ok(seen.some((e) => e instanceof Error && e.message.startsWith('secret')), 'onError saw the error');
  assert.equal((await s.fetch('/throw-undefined')).status, 500);
  assert.deepEqual(JSON.parse((await s.fetch('/throw-count')).body), { n: 1 }, 'the handler ran once');
  const handlerBug = await s.fetch('/nothing');
  assert.equal(handlerBug.status, 500);
});

test('errors: abort(status, message) shows the message; handlers by class and by status', async () => {
  const a = await s.fetch('/abort');
  assert.equal(a.status, 403);
  assert.match(a.body, /not yours/);
  const t = await s.fetch('/teapot');
  assert.equal(t.status, 418);
  assert.equal(t.body, 'teapot: short and stout');
  const nf = await s.fetch('/missing');
  assert.equal(nf.status, 404, 'a string from an error handler keeps the error status');
  assert.equal(nf.body, '<p>custom 404 for 8 chars</p>');
});

test('cookies: parsed from the request; set with every attribute; deleted', async () => {
  const r = await s.fetch('/cookies', { headers: { Cookie: 'a=1; b=x%20y; a=2' } });
  assert.deepEqual(JSON.parse(r.body), { cookies: { a: '1', b: 'x y' } });
  const set = await s.fetch('/set-cookie');
  assert.deepEqual(set.headers('set-cookie'), [
    'sid=a%20b%3Bc; Max-Age=3600; Domain=example.com; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly; Secure; Partitioned; SameSite=Lax',
    'theme=dark; SameSite=Strict',
    'old=; Max-Age=0; Path=/x; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
  ]);
});

test('header values with CR/LF and invalid cookie names are 500s and never sent', async () => {
  const r = await s.fetch(`/bad-header?v=${encodeURIComponent('x\r\nSet-Cookie: evil=1')}`);
  assert.equal(r.status, 500);
  assert.equal(r.header('x-echo'), undefined);
  assert.equal(r.header('set-cookie'), undefined);
  const c = await s.fetch('/bad-cookie');
  assert.equal(c.status, 500);
  assert.equal(c.header('set-cookie'), undefined);
});

const REDIRECTS: Array<{ name: string; next: string; status?: number; want: number; location?: string }> = [
  { name: 'relative path', next: '/users/1', want: 302, location: '/users/1' },
  { name: 'relative name', next: 'users/1?x=2', want: 302, location: 'users/1?x=2' },
  { name: 'same origin absolute', next: 'http://127.0.0.1:PORT/x', want: 302, location: 'http://127.0.0.1:PORT/x' },
  { name: '303', next: '/a', status: 303, want: 303, location: '/a' },
  { name: '307', next: '/a', status: 307, want: 307, location: '/a' },
  { name: '308', next: '/a', status: 308, want: 308, location: '/a' },
  { name: 'other site', next: 'https://evil.example/', want: 400 },
  { name: 'scheme-relative', next: '//evil.example/', want: 400 },
  { name: 'backslash trick', next: '/\\evil.example/', want: 400 },
  { name: 'tab trick', next: '/\t/evil.example/', want: 400 },
  // a browser reads `http:evil.example` as a path on this site, curl and older parsers as host evil.example
  { name: 'scheme without slashes', next: 'http:evil.example', want: 400 },
  { name: 'CR/LF injection', next: '/x\r\nSet-Cookie: a=b', want: 400 },
  { name: 'javascript: URL', next: 'javascript:alert(1)', want: 400 },
  { name: 'non-ASCII is percent-encoded', next: '/café', want: 302, location: '/caf%C3%A9' },
];
for (const row of REDIRECTS) {
  test(`redirect guard: ${row.name}`, async () => {
    const next = row.next.replace('PORT', String(s.port));
    const r = await s.fetch(`/go?next=${encodeURIComponent(next)}${row.status === undefined ? '' : `&status=${row.status}`}`);
    assert.equal(r.status, row.want);
    assert.equal(r.header('location'), row.location?.replace('PORT', String(s.port)));
  });
}

test('redirect: external targets when asked explicitly; bad statuses refused at call time', async () => {
  const r = await s.fetch('/external');
  assert.equal(r.status, 302);
  assert.equal(r.header('location'), 'https://example.org/x');
  assert.throws(() => redirect('/x', 200 as 302), TypeError);
});

test('request wrapper: remoteAddress, url, route', async () => {
  const r = JSON.parse((await s.fetch('/whoami?x=1')).body);
  assert.deepEqual(r, { remote: '127.0.0.1', url: `http://127.0.0.1:${s.port}/whoami?x=1`, route: '/whoami' });
});

test('abort() throws an HttpError', () => {
  assert.throws(() => abort(404), (e: unknown) => e instanceof HttpError && e.status === 404);
});

test('behind a trusted proxy: remoteAddress, url and the redirect guard use the forwarded facts', async () => {
  const app = new App({ server: { trustProxy: ['loopback'] } });
  app.get('/who', (req) => ({ remote: req.remoteAddress, url: req.url.href, secure: req.secure }));
  app.get('/go', (req) => redirect(req.args.get('next')!));
  const { server, port } = await app.listen(0, '127.0.0.1');
  const { request, Agent } = await import('../client/index.js');
  const agent = new Agent();
  const headers = { 'X-Forwarded-For': '203.0.113.5', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example' };
  try {
    const who = await request(`http://127.0.0.1:${port}/who?a=1`, { agent, headers });
    assert.deepEqual(await who.json(), { remote: '203.0.113.5', url: 'https://shop.example/who?a=1', secure: true });
    const same = await request(`http://127.0.0.1:${port}/go?next=${encodeURIComponent('https://shop.example/cart')}`, { agent, headers });
    await same.dump();
    assert.equal(same.status, 302);
    const other = await request(`http://127.0.0.1:${port}/go?next=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`, { agent, headers });
    await other.dump();
    assert.equal(other.status, 400, 'the proxy-facing origin is the one that counts');
  } finally {
    agent.close();
    await server.close(100);
  }
});
