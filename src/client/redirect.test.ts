import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { PreparedBody } from './body.js';
import { nextRequest, type RedirectStatus } from './redirect.js';
import { RedirectError } from './errors.js';

const bytes: PreparedBody = { kind: 'bytes', bytes: Buffer.from('x=1') };
const base = new URL('http://a.test/form');
const headers = ['Host', 'a.test', 'Authorization', 'Basic x', 'Cookie', 'c=1', 'Content-Type', 'text/plain', 'Content-Length', '3', 'X-Keep', '1'];

const cases: Array<{ name: string; status: RedirectStatus; method: string; location: string; want: { url: string; method: string; body: string; headers: string[] } }> = [
  { name: '303 POST -> GET, body dropped', status: 303, method: 'POST', location: '/done', want: { url: 'http://a.test/done', method: 'GET', body: 'none', headers: ['Authorization', 'Cookie', 'X-Keep'] } },
  { name: '303 HEAD stays HEAD', status: 303, method: 'HEAD', location: '/h', want: { url: 'http://a.test/h', method: 'HEAD', body: 'bytes', headers: ['Authorization', 'Cookie', 'Content-Type', 'Content-Length', 'X-Keep'] } },
  { name: '302 POST -> GET', status: 302, method: 'POST', location: 'next', want: { url: 'http://a.test/next', method: 'GET', body: 'none', headers: ['Authorization', 'Cookie', 'X-Keep'] } },
  { name: '301 PUT keeps method', status: 301, method: 'PUT', location: '/p', want: { url: 'http://a.test/p', method: 'PUT', body: 'bytes', headers: ['Authorization', 'Cookie', 'Content-Type', 'Content-Length', 'X-Keep'] } },
  { name: '307 keeps POST and body', status: 307, method: 'POST', location: '/t#frag', want: { url: 'http://a.test/t', method: 'POST', body: 'bytes', headers: ['Authorization', 'Cookie', 'Content-Type', 'Content-Length', 'X-Keep'] } },
  { name: '308 cross-origin drops credentials', status: 308, method: 'POST', location: 'http://b.test/x', want: { url: 'http://b.test/x', method: 'POST', body: 'bytes', headers: ['Content-Type', 'Content-Length', 'X-Keep'] } },
  { name: '302 GET to other port is cross-origin', status: 302, method: 'GET', location: 'http://a.test:81/', want: { url: 'http://a.test:81/', method: 'GET', body: 'bytes', headers: ['Content-Type', 'Content-Length', 'X-Keep'] } },
];
for (const c of cases) {
  test(`nextRequest: ${c.name}`, () => {
    const next = nextRequest(c.status, c.location, base, c.method, headers, bytes);
    assert.equal(next.url.href, c.want.url);
    assert.equal(next.method, c.want.method);
    assert.equal(next.body.kind, c.want.body);
    assert.deepEqual(next.headers.filter((_, i) => i % 2 === 0), c.want.headers);
  });
}

test('nextRequest: refuses other schemes and streamed bodies on 307', () => {
  assert.throws(() => nextRequest(302, 'ftp://x/', base, 'GET', [], { kind: 'none' }), (e: unknown) => e instanceof RedirectError && e.code === 'EREDIRECT');
  assert.throws(() => nextRequest(307, '/x', base, 'POST', [], { kind: 'stream', source: Readable.from([]), length: undefined }), (e: unknown) => e instanceof RedirectError);
});
