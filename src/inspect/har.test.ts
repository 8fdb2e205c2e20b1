import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent } from './capture.js';
import { ExchangeSplitter } from './exchanges.js';
import { HarRecorder } from './har.js';
import { harProblems } from './har-schema.test-util.js';

function har(events: CaptureEvent[]) {
  const rec = new HarRecorder();
  const splitter = new ExchangeSplitter([rec]);
  for (const e of events) splitter.push(e);
  return rec.har('9.9.9');
}

const open: CaptureEvent = { kind: 'open', id: 1, client: { address: '127.0.0.1', port: 5000 }, server: { address: '127.0.0.1', port: 80 }, secure: false, time: Date.UTC(2026, 0, 1) };
const data = (from: 'client' | 'server', bytes: string | Buffer, dt: number): CaptureEvent => ({ kind: 'data', id: 1, from, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, time: open.time + dt });

test('har: form post params, query string, cookies both ways, binary content as base64, timings', () => {
  const doc = har([
    open,
    data('client', 'POST /f?q=a%20b&r HTTP/1.1\r\nHost: ex.test\r\nCookie: a=1; b=2\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\nx=1&y=%21', 1),
    data('server', 'HTTP/1.1 302 Found\r\nLocation: /next\r\nSet-Cookie: s=v; Path=/; HttpOnly\r\nContent-Type: image/png\r\nContent-Length: 3\r\n\r\n\x89PN', 4),
  ]);
  assert.deepEqual(harProblems(doc), []);
  const e = doc.log.entries[0]!;
  assert.equal(e.startedDateTime, '2026-01-01T00:00:00.001Z');
  assert.equal(e.request.url, 'http://ex.test/f?q=a%20b&r');
  assert.deepEqual(e.request.queryString, [{ name: 'q', value: 'a b' }, { name: 'r', value: '' }]);
  assert.deepEqual(e.request.cookies, [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.deepEqual(e.request.postData, { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'x', value: '1' }, { name: 'y', value: '!' }] });
  assert.equal(e.request.bodySize, 9);
  assert.deepEqual(e.response.cookies, [{ name: 's', value: 'v', path: '/', httpOnly: true, secure: false }]);
  assert.equal(e.response.redirectURL, '/next');
  assert.deepEqual(e.response.content, { size: 3, mimeType: 'image/png', text: Buffer.from('\x89PN', 'latin1').toString('base64'), encoding: 'base64' });
  assert.deepEqual(e.timings, { blocked: -1, dns: -1, connect: -1, send: 0, wait: 3, receive: 0, ssl: -1 });
  assert.equal(e.time, 3);
});

test('har: a chunked text response keeps its text; bodySize counts the wire bytes', () => {
  const doc = har([
    open,
    data('client', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', 0),
    data('server', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhé\r\n0\r\n\r\n'.replace('hé', 'h\xc3\xa9'), 1),
  ]);
  assert.deepEqual(harProblems(doc), []);
  const c = doc.log.entries[0]!.response;
  assert.deepEqual(c.content, { size: 3, mimeType: 'text/plain', text: 'hé' });
  assert.equal(c.bodySize, '3\r\nh\xc3\xa9\r\n0\r\n\r\n'.length);
});

test('har schema check: reports missing and mistyped required fields', () => {
  assert.deepEqual(harProblems({ log: { version: '1.1', creator: {}, entries: [{ startedDateTime: 'yesterday', time: '1', cache: {}, request: {}, response: {}, timings: { send: -1 } }] } }).length > 10, true);
});

test('har: requests the server never answered, or answered only in part, are kept with status 0 or the partial response and _error', () => {
  const close: CaptureEvent = { kind: 'close', id: 1, by: 'server', reason: 'server close', time: open.time + 9 };
  const doc = har([
    open,
    data('client', 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n', 0),
    data('server', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\ncut', 2),
    close,
  ]);
  assert.deepEqual(harProblems(doc), []);
  assert.deepEqual(doc.log.entries.map((e) => [e.request.url, e.response.status, e._error]), [
    ['http://h/a', 200, undefined],
    ['http://h/b', 200, 'connection closed (server close) before the response was complete'],
    ['http://h/c', 0, 'connection closed (server close) before the response was complete'],
  ]);
  assert.equal(doc.log.entries[1]!.response.content.text, 'cut');
});

test('har: an exchange still waiting when the HAR is written is included, marked', () => {
  const doc = har([open, data('client', 'GET /slow HTTP/1.1\r\nHost: h\r\n\r\n', 0)]);
  assert.deepEqual(harProblems(doc), []);
  assert.deepEqual(doc.log.entries.map((e) => [e.response.status, e._error]), [[0, 'no complete response when the HAR was written']]);
});
