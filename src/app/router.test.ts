import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../server/http-error.js';
import { buildPath, compilePattern, Router } from './router.js';

const PATTERNS = ['/', '/users', '/users/', '/users/new', '/users/:id', '/users/:id/posts/:post', '/files/*path', '/a/:x/c', '/a/b/d', '/café'];

function router(): Router<string> {
  const r = new Router<string>();
  for (const p of PATTERNS) r.add(compilePattern(p), 'GET', p);
  r.add(compilePattern('/users/:id'), 'DELETE', 'delete /users/:id');
  return r;
}

const MATCHES: Array<{ name: string; path: string; want: string | undefined; params?: Record<string, string> }> = [
  { name: 'root', path: '/', want: '/' },
  { name: 'static', path: '/users', want: '/users' },
  { name: 'trailing slash is a different route', path: '/users/', want: '/users/' },
  { name: 'static beats a parameter', path: '/users/new', want: '/users/new' },
  { name: 'parameter', path: '/users/42', want: '/users/:id', params: { id: '42' } },
  { name: 'parameter is percent-decoded', path: '/users/a%20b', want: '/users/:id', params: { id: 'a b' } },
  { name: 'encoded slash stays inside the parameter', path: '/users/a%2Fb', want: '/users/:id', params: { id: 'a/b' } },
  { name: 'two parameters', path: '/users/7/posts/9', want: '/users/:id/posts/:post', params: { id: '7', post: '9' } },
  { name: 'wildcard tail', path: '/files/a/b/c.txt', want: '/files/*path', params: { path: 'a/b/c.txt' } },
  { name: 'wildcard decodes', path: '/files/x%20y', want: '/files/*path', params: { path: 'x y' } },
  { name: 'wildcard needs one segment', path: '/files/', want: undefined },
  { name: 'backtracks from a static branch', path: '/a/b/c', want: '/a/:x/c', params: { x: 'b' } },
  { name: 'static branch when it matches', path: '/a/b/d', want: '/a/b/d' },
  { name: 'empty segment is not a parameter', path: '/users//posts/1', want: undefined },
  { name: 'unknown', path: '/nope', want: undefined },
  { name: 'too long', path: '/users/1/2', want: undefined },
  { name: 'non-ASCII static segment', path: '/caf%C3%A9', want: '/café' },
  { name: 'not an origin path', path: '*', want: undefined },
];

for (const row of MATCHES) {
  test(`router: ${row.name}`, () => {
    const m = router().match(row.path);
    assert.equal(m?.methods.get('GET'), row.want);
    if (row.params !== undefined) assert.deepEqual({ ...m!.params }, row.params);
  });
}

test('router: methods of one path are kept together (for 405 and Allow)', () => {
  const m = router().match('/users/1');
  assert.deepEqual([...m!.methods.keys()], ['GET', 'DELETE']);
});

test('router: bad percent-encoding is HttpError 400', () => {
  assert.throws(() => router().match('/users/%zz'), (e: unknown) => e instanceof HttpError && e.status === 400);
});

const BAD_PATTERNS: Array<{ name: string; pattern: string }> = [
  { name: 'no leading slash', pattern: 'users' },
  { name: 'bad parameter name', pattern: '/users/:1d' },
  { name: 'repeated parameter', pattern: '/a/:id/b/:id' },
  { name: 'wildcard not last', pattern: '/a/*rest/b' },
  { name: 'empty segment', pattern: '/a//b' },
];
for (const row of BAD_PATTERNS) {
  test(`compilePattern refuses: ${row.name}`, () => assert.throws(() => compilePattern(row.pattern), TypeError));
}

test('router: the same method and pattern twice is refused; conflicting parameter names too', () => {
  const r = new Router<string>();
  r.add(compilePattern('/u/:id'), 'GET', 'a');
  assert.throws(() => r.add(compilePattern('/u/:id'), 'GET', 'b'), TypeError);
  assert.throws(() => r.add(compilePattern('/u/:name'), 'POST', 'c'), TypeError);
});

const BUILDS: Array<{ name: string; pattern: string; values: Record<string, string | number>; path: string; rest?: [string, string][] }> = [
  { name: 'root', pattern: '/', values: {}, path: '/' },
  { name: 'parameter encoded', pattern: '/users/:id', values: { id: 'a b/c' }, path: '/users/a%20b%2Fc' },
  { name: 'number', pattern: '/users/:id', values: { id: 7 }, path: '/users/7' },
  { name: 'wildcard keeps slashes', pattern: '/files/*path', values: { path: 'a b/c.txt' }, path: '/files/a%20b/c.txt' },
  { name: 'trailing slash kept', pattern: '/docs/', values: {}, path: '/docs/' },
  { name: 'extra values go to the query', pattern: '/users/:id', values: { id: 1, tab: 'x' }, path: '/users/1', rest: [['tab', 'x']] },
];
for (const row of BUILDS) {
  test(`buildPath: ${row.name}`, () => {
    const got = buildPath(compilePattern(row.pattern), row.values);
    assert.equal(got.path, row.path);
    assert.deepEqual(got.rest, row.rest ?? []);
  });
}

test('buildPath: a missing parameter throws', () => {
  assert.throws(() => buildPath(compilePattern('/users/:id'), {}), TypeError);
});
