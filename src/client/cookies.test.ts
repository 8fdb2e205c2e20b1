import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieJar, defaultPath, domainMatch, pathMatch } from './cookie-jar.js';
import { formatNetscapeCookies, loadNetscapeCookies, parseNetscapeCookies } from './netscape-cookies.js';
import { parseCookieDate, parseSetCookie } from './set-cookie.js';

const setCookieCases = [
  { name: 'plain', input: 'a=1', want: { name: 'a', value: '1', secure: false, httpOnly: false } },
  { name: 'attributes', input: 'sid=x y; Path=/app; Domain=.Example.COM; Secure; HttpOnly; SameSite=lax', want: { name: 'sid', value: 'x y', path: '/app', domain: 'example.com', secure: true, httpOnly: true, sameSite: 'Lax' } },
  { name: 'max-age', input: 'a=1; Max-Age=60', want: { name: 'a', value: '1', maxAge: 60, secure: false, httpOnly: false } },
  { name: 'bad max-age ignored', input: 'a=1; Max-Age=6x', want: { name: 'a', value: '1', secure: false, httpOnly: false } },
  { name: 'relative path ignored', input: 'a=1; Path=rel', want: { name: 'a', value: '1', secure: false, httpOnly: false } },
  { name: 'empty value', input: 'a=; Secure', want: { name: 'a', value: '', secure: true, httpOnly: false } },
  { name: 'expires', input: 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT', want: { name: 'a', value: '1', expires: Date.UTC(2015, 9, 21, 7, 28, 0), secure: false, httpOnly: false } },
  { name: 'value with =', input: 'tok=a=b=c', want: { name: 'tok', value: 'a=b=c', secure: false, httpOnly: false } },
  { name: 'no equals: ignored', input: 'justtext', want: undefined },
  { name: 'empty name: ignored', input: '=v', want: undefined },
];
for (const c of setCookieCases) test(`parseSetCookie: ${c.name}`, () => assert.deepEqual(parseSetCookie(c.input), c.want));

const dateCases: Array<{ input: string; want: number | undefined }> = [
  { input: 'Wed, 21 Oct 2015 07:28:00 GMT', want: Date.UTC(2015, 9, 21, 7, 28, 0) },
  { input: 'Sunday, 06-Nov-94 08:49:37 GMT', want: Date.UTC(1994, 10, 6, 8, 49, 37) },
  { input: 'Sun Nov  6 08:49:37 1994', want: Date.UTC(1994, 10, 6, 8, 49, 37) },
  { input: 'Thu, 01 Jan 1970 00:00:00 GMT', want: 0 },
  { input: 'Feb 31 2020 10:00:00', want: undefined },
  { input: 'not a date', want: undefined },
  { input: '10:00:00 32 Jan 2020', want: undefined },
];
for (const c of dateCases) test(`parseCookieDate: ${c.input}`, () => assert.equal(parseCookieDate(c.input), c.want));

const matchCases = [
  { name: 'domain exact', got: domainMatch('example.com', 'example.com'), want: true },
  { name: 'domain sub', got: domainMatch('a.example.com', 'example.com'), want: true },
  { name: 'domain suffix not at dot', got: domainMatch('badexample.com', 'example.com'), want: false },
  { name: 'domain IP', got: domainMatch('1.127.0.0.1', '127.0.0.1'), want: false },
  { name: 'path exact', got: pathMatch('/a', '/a'), want: true },
  { name: 'path prefix with slash', got: pathMatch('/a/b', '/a'), want: true },
  { name: 'path prefix not segment', got: pathMatch('/ab', '/a'), want: false },
  { name: 'path cookie ends with slash', got: pathMatch('/a/b', '/a/'), want: true },
  { name: 'default path', got: defaultPath('/a/b/c') === '/a/b' && defaultPath('/x') === '/' && defaultPath('') === '/', want: true },
];
for (const c of matchCases) test(`match: ${c.name}`, () => assert.equal(c.got, c.want));

test('CookieJar: stores, matches by host/path/secure, orders longest path first, deletes on Max-Age=0', () => {
  const jar = new CookieJar();
  const now = 1_000_000;
  const u = new URL('http://www.example.com/app/page');
  assert.equal(jar.setCookie('a=1', u, now), true);
  assert.equal(jar.setCookie('b=2; Path=/app/page', u, now), true);
  assert.equal(jar.setCookie('c=3; Domain=example.com; Path=/', u, now), true);
  assert.equal(jar.setCookie('d=4; Domain=other.com', u, now), false);
  assert.equal(jar.setCookie('e=5; Domain=com', u, now), false);
  assert.equal(jar.setCookie('s=6; Secure', u, now), false);
  assert.equal(jar.cookieHeader(new URL('http://www.example.com/app/page'), now), 'b=2; a=1; c=3');
  assert.equal(jar.cookieHeader(new URL('http://api.example.com/'), now), 'c=3');
  assert.equal(jar.cookieHeader(new URL('http://example.com/other'), now), 'c=3');
  jar.setCookie('c=gone; Domain=example.com; Path=/; Max-Age=0', u, now);
  assert.equal(jar.cookieHeader(new URL('http://api.example.com/'), now), undefined);
  jar.setCookie('t=1; Max-Age=10', u, now);
  assert.match(jar.cookieHeader(u, now + 5_000) ?? '', /t=1/);
  assert.doesNotMatch(jar.cookieHeader(u, now + 11_000) ?? '', /t=1/);
});

test('Netscape format: round trip with curl conventions (#HttpOnly_, leading dot, 0 = session)', () => {
  const text = [
    '# Netscape HTTP Cookie File',
    '',
    '127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc',
    '.example.com\tTRUE\t/p\tTRUE\t4102444800\tlong\tv=1',
    '#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\th\tx',
    'garbage line',
    '',
  ].join('\n');
  const cookies = parseNetscapeCookies(text);
  assert.deepEqual(cookies.map((c) => [c.domain, c.includeSubdomains, c.path, c.secure, c.expires, c.name, c.value, c.httpOnly]), [
    ['127.0.0.1', false, '/', false, undefined, 'sid', 'abc', false],
    ['example.com', true, '/p', true, 4102444800000, 'long', 'v=1', false],
    ['127.0.0.1', false, '/', false, undefined, 'h', 'x', true],
  ]);
  const again = parseNetscapeCookies(formatNetscapeCookies(cookies));
  assert.deepEqual(again, cookies);
  const jar = new CookieJar();
  assert.equal(loadNetscapeCookies(jar, text, 0), 3);
  assert.equal(jar.cookieHeader(new URL('http://127.0.0.1/x'), 0), 'sid=abc; h=x');
  assert.equal(jar.cookieHeader(new URL('https://a.example.com/p/q'), 0), 'long=v=1');
});
