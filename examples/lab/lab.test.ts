import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, request, type Server } from '../../src/index.js';
import { rawExchange } from '../../test/support/raw.js';
import { createLabApp } from './lab.js';

let server: Server;
let base = '';
let port = 0;
const agent = new Agent();

before(async () => {
  const started = await createLabApp().listen(0, '127.0.0.1');
  server = started.server;
  port = started.port;
  base = `http://127.0.0.1:${port}`;
});
after(async () => {
  agent.close();
  await server.close(100);
});

async function get(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; location: string | undefined; type: string | undefined }> {
  const res = await request(`${base}${path}`, { agent, ...init, timeouts: { total: 5000 } });
  return { status: res.status, body: await res.text(), location: res.headers.get('location'), type: res.headers.get('content-type') };
}

test('lab: / links both forms', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'text/html; charset=utf-8');
  assert.match(r.body, /href="\/test_get"/);
  assert.match(r.body, /href="\/test_post"/);
});

test('lab: /test_get is a GET form to /get with a field named test', async () => {
  const r = await get('/test_get');
  assert.match(r.body, /<form action="\/get" method="get">/);
  assert.match(r.body, /<input name="test"/);
});

test('lab: /get?test=VALUE shows the value, escaped', async () => {
  const r = await get(`/get?test=${encodeURIComponent('<script>alert(1)</script> & "q"')}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /<output id="value">&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;q&quot;<\/output>/);
  assert.doesNotMatch(r.body, /<script>/);
});

test('lab: /test_post is a POST form; /post shows the posted value', async () => {
  const form = await get('/test_post');
  assert.match(form.body, /<form action="\/post" method="post">/);
  const r = await get('/post', { method: 'POST', body: 'test=h%C3%A9llo+%3Cb%3E', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 200);
  assert.match(r.body, /<output id="value">héllo &lt;b&gt;<\/output>/);
});

test('lab: the POST form also works as multipart/form-data', async () => {
  const body = '--b0\r\nContent-Disposition: form-data; name="test"\r\n\r\nmulti\r\n--b0--\r\n';
  const r = await get('/post', { method: 'POST', body, headers: { 'Content-Type': 'multipart/form-data; boundary=b0' } });
  assert.match(r.body, /<output id="value">multi<\/output>/);
});

test('lab: GET /post sends the student to the form (303); PUT /post is 405 with Allow', async () => {
  const r = await get('/post');
  assert.equal(r.status, 303);
  assert.equal(r.location, '/test_post');
  const put = await get('/post', { method: 'PUT', body: 'x' });
  assert.equal(put.status, 405);
});

test('lab: raw bytes on one keep-alive connection (GET, then POST)', async () => {
  const body = 'test=raw';
  const { output } = await rawExchange(port, [
    'GET /get?test=one HTTP/1.1\r\nHost: lab\r\n\r\n',
    `POST /post HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  ]);
  const statuses = [...output.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);
  assert.deepEqual(statuses, ['200', '200']);
  assert.match(output, /<output id="value">one<\/output>[\s\S]*<output id="value">raw<\/output>/);
});
