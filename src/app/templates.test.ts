import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { App } from './app.js';
import { serve, type Served } from './harness.test-util.js';
import { sendFile } from './response.js';
import { Templates } from './templates.js';

let dir = '';
let s: Served;
let app: App;

const FILES: Record<string, string> = {
  'templates/base.html': '<title>{% block title %}site{% endblock %}</title><main>{% block body %}{% endblock %}</main>',
  'templates/show.html': '{% extends "base.html" %}{% block title %}show{% endblock %}{% block body %}<p>{{ value }}</p><p>{{ trusted | safe }}</p><a href="{{ urlFor(\'user\', {id: id}) }}">u</a> <a href="{{ url_for(\'user\', id=id, tab=\'x y\') }}">t</a> <link href="{{ url_for(\'static\', filename=\'site.css\') }}">{% endblock %}',
  'templates/req.html': '{{ request.args.get("q") }} {{ request.method }}',
  'static/site.css': 'body { color: red }\n',
  'static/data.txt': '0123456789',
  'static/.secret': 'no',
  'private/file.txt': 'private bytes',
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirehttp-app-'));
  for (const [name, content] of Object.entries(FILES)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  // root given as a module URL, the way an app passes import.meta.url
  app = new App({ root: pathToFileURL(join(dir, 'app.js')) });
  app.get('/users/:id', (req) => `user ${req.params.id}`, { name: 'user' });
  app.get('/show', (req) => req.render('show.html', { value: req.args.get('v'), trusted: '<b>bold</b>', id: 'a/b' }));
  app.get('/req', (req) => req.render('req.html'));
  app.get('/download/*name', (req) => sendFile(req.params.name, { root: join(dir, 'private') }));
  app.get('/attachment', () => sendFile(join(dir, 'private/file.txt'), { download: 'résumé "1".txt' }));
  s = await serve(app);
});
after(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

test('templates: autoescape on, | safe opts out, inheritance works', async () => {
  const r = await s.fetch(`/show?v=${encodeURIComponent('<script>alert("x")</script>')}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /^<title>show<\/title><main>/);
  assert.match(r.body, /<p>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/p>/);
  assert.match(r.body, /<p><b>bold<\/b><\/p>/);
});

test('templates: urlFor and url_for with keywords, static URLs', async () => {
  const r = await s.fetch('/show?v=1');
  assert.match(r.body, /href="\/users\/a%2Fb">u/);
  assert.match(r.body, /href="\/users\/a%2Fb\?tab=x\+y">t/);
  assert.match(r.body, /href="\/static\/site.css"/);
});

test('templates: the request is in the context', async () => {
  const r = await s.fetch('/req?q=%3Cx%3E');
  assert.equal(r.body, '&lt;x&gt; GET');
});

test('urlFor in code: parameters, query, unknown names', () => {
  assert.equal(app.urlFor('user', { id: 5 }), '/users/5');
  assert.equal(app.urlFor('user', { id: 5, q: 'a&b' }), '/users/5?q=a%26b');
  assert.equal(app.urlFor('static', { filename: 'a b.css' }), '/static/a%20b.css');
  assert.throws(() => app.urlFor('nope'), TypeError);
  assert.throws(() => app.urlFor('user'), TypeError);
});

test('static/ is served at /static by the static handler: validators, ranges, hidden files', async () => {
  const css = await s.fetch('/static/site.css');
  assert.equal(css.status, 200);
  assert.equal(css.header('content-type'), 'text/css; charset=utf-8');
  const etag = css.header('etag')!;
  const again = await s.fetch('/static/site.css', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const part = await s.fetch('/static/data.txt', { headers: { Range: 'bytes=2-4' } });
  assert.equal(part.status, 206);
  assert.equal(part.body, '234');
  assert.equal((await s.fetch('/static/.secret')).status, 404);
  assert.equal((await s.fetch('/static/nope.css')).status, 404);
});

test('sendFile: under a root (vetted like a URL path), ranges and 304', async () => {
  const r = await s.fetch('/download/file.txt');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'private bytes');
  assert.equal(r.header('content-type'), 'text/plain; charset=utf-8');
  const range = await s.fetch('/download/file.txt', { headers: { Range: 'bytes=-5' } });
  assert.equal(range.status, 206);
  assert.equal(range.body, 'bytes');
  const nm = await s.fetch('/download/file.txt', { headers: { 'If-None-Match': r.header('etag')! } });
  assert.equal(nm.status, 304);
  assert.equal((await s.fetch('/download/..%2Fstatic%2Fsite.css')).status, 400);
  assert.equal((await s.fetch('/download/missing.txt')).status, 404);
});

test('sendFile: download names go in Content-Disposition (ASCII fallback + RFC 8187)', async () => {
  const r = await s.fetch('/attachment');
  assert.equal(r.header('content-disposition'), `attachment; filename="r_sum_ _1_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.txt`);
});

test('templates: an app without a templates folder fails with a 500 (no details)', async () => {
  const bare = new App();
  bare.get('/', (req) => req.render('x.html'));
  const t = await serve(bare);
  const r = await t.fetch('/');
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /templates/);
  await t.close();
});

test('loading the template engine leaves String.prototype with fast properties (string methods stay cheap in optimized code)', () => {
  // a fresh process: here nunjucks is loaded already and earlier renders may have restored the prototype
  const script = `
    const { Templates } = await import(${JSON.stringify(new URL('./templates.js', import.meta.url).href)});
    new Templates(${JSON.stringify(dir)}, { dev: false, globals: {} });
    process.stdout.write(String(%HasFastProperties(String.prototype)));`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(out, 'true');
});
