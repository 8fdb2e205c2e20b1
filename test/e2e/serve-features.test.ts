// `wirehttp serve --upload`, `--watch` and the lab switches, driven through the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../../src/client/index.js';
import { rawExchange } from '../support/raw.js';
import { agent, get, serve, tree, waitFor, type Served } from './serve-harness.js';

after(() => agent.close());

describe('--upload', () => {
  let dir: string;
  let s: Served;
  before(async () => {
    dir = tree();
    s = await serve(dir, ['--upload', '--max-upload', '64K', '--log', 'json']);
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const names = (sub = ''): string[] => readdirSync(join(dir, sub)).sort();

  test('PUT: 201 Created with Location; never overwrites; 409 for a missing folder; 413 past the limit', async () => {
    const created = await get(`${s.base}/docs/new%20file.txt`, { method: 'PUT', body: 'fresh' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.location, '/docs/new%20file.txt');
    assert.equal(readFileSync(join(dir, 'docs', 'new file.txt'), 'utf8'), 'fresh');
    const again = await get(`${s.base}/docs/new%20file.txt`, { method: 'PUT', body: 'other' });
    assert.equal(again.status, 409);
    assert.match(again.body.toString(), /does not overwrite/);
    assert.equal(readFileSync(join(dir, 'docs', 'new file.txt'), 'utf8'), 'fresh');
    assert.equal((await get(`${s.base}/nowhere/x.txt`, { method: 'PUT', body: 'x' })).status, 409);
    assert.equal((await get(`${s.base}/huge.bin`, { method: 'PUT', body: Buffer.alloc(65 * 1024) })).status, 413);
    assert.equal((await get(`${s.base}/.env`, { method: 'PUT', body: 'x' })).status, 404);
    assert.equal((await get(`${s.base}/..%2f..%2fescape.txt`, { method: 'PUT', body: 'x' })).status, 400);
    assert.deepEqual(names(), ['.secret', 'app', 'big.txt', 'docs', 'hello.txt']);
  });

  test('POST multipart to a folder: files stored under their base names, the listing has the form', async () => {
    const boundary = 'xyzBOUNDARYxyz';
    const part = (field: string, filename: string, body: string): string =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`;
    const body = `${part('file', 'one.txt', 'first')}${part('file', '../../two.txt', 'second')}--${boundary}--\r\n`;
    const r = await get(`${s.base}/app/`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.equal(r.status, 201);
    assert.equal(r.headers.location, '/app/one.txt');
    assert.equal(r.body.toString(), '/app/one.txt\n/app/two.txt\n');
    assert.deepEqual(names('app'), ['index.html', 'one.txt', 'two.txt']);
    const browser = await get(`${s.base}/docs/`, { method: 'POST', body: `${part('file', 'three.txt', '3')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/html' } });
    assert.equal(browser.status, 303);
    assert.equal(browser.headers.location, '/docs/');
    const clash = await get(`${s.base}/app/`, { method: 'POST', body: `${part('f', 'new.txt', 'n')}${part('f', 'one.txt', 'x')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.equal(clash.status, 409);
    assert.deepEqual(names('app'), ['index.html', 'one.txt', 'two.txt'], 'a refused form stores none of its files');
    assert.equal((await get(`${s.base}/hello.txt`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })).status, 405);
    assert.match((await get(`${s.base}/`)).body.toString(), /<form method="post" enctype="multipart\/form-data">/);
    const logged = s.err().trim().split('\n').map((l) => JSON.parse(l) as { status: number; notes?: string[] });
    assert.ok(logged.some((l) => l.status === 201 && l.notes?.[0] === 'upload: one.txt (5 bytes), two.txt (6 bytes) into /app/'), s.err());
  });

  test('an aborted upload leaves no file, not even a partial one under a temporary name', async () => {
    const socket = connect(s.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', r));
    socket.write(`PUT /docs/partial.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n${'p'.repeat(20000)}`);
    await waitFor(() => names('docs').join(' '), /\.partial\.bin\.[0-9a-f]+\.upload/);
    socket.destroy();
    await waitFor(() => (names('docs').some((n) => n.includes('partial')) ? 'still there' : 'gone'), /gone/);
    assert.deepEqual(names('docs').filter((n) => n.includes('partial')), []);
  });
});

test('--upload --overwrite: PUT replaces (204), POST replaces', async () => {
  const dir = tree();
  const s = await serve(dir, ['--upload', '--overwrite', '-q']);
  try {
    const r = await get(`${s.base}/hello.txt`, { method: 'PUT', body: 'replaced' });
    assert.equal(r.status, 204);
    assert.equal(readFileSync(join(dir, 'hello.txt'), 'utf8'), 'replaced');
    assert.equal((await get(`${s.base}/hello.txt`)).body.toString(), 'replaced');
    const options = await get(`${s.base}/`, { method: 'OPTIONS' });
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS, PUT, POST');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--watch: HTML gets the reload script (Content-Length adjusted, not for ranges); a file change reaches the event stream', async () => {
  const dir = tree();
  const s = await serve(dir, ['--watch', '-q']);
  try {
    assert.match(s.out(), /Live reload: on/);
    const page = await get(`${s.base}/app/`);
    const html = page.body.toString();
    assert.match(html, /<p>app<\/p><script data-wirehttp-reload>.*<\/script><\/body><\/html>$/);
    assert.equal(Number(page.headers['content-length']), page.body.length);
    assert.match(page.headers.etag!, /-lr"$/);
    assert.equal((await get(`${s.base}/app/`, { headers: { 'if-none-match': page.headers.etag! } })).status, 304);
    const range = await get(`${s.base}/app/index.html`, { headers: { range: 'bytes=0-14' } });
    assert.equal(range.status, 206);
    assert.equal(range.body.toString(), '<!doctype html>');
    assert.match((await get(`${s.base}/`)).body.toString(), /data-wirehttp-reload/, 'listings reload too');
    assert.doesNotMatch((await get(`${s.base}/hello.txt`)).body.toString(), /script/);

    const events = await request(`${s.base}/__wirehttp/events`, { agent });
    assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    let seen = '';
    const changed = new Promise<string>((resolve) => {
      events.body.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/event: change\ndata: .*\n\n/.test(seen)) resolve(seen);
      });
    });
    await waitFor(() => seen, /retry: 1000/);
    writeFileSync(join(dir, '.ignored'), 'x'); // dotfiles never trigger a reload
    writeFileSync(join(dir, 'docs', 'edited.txt'), 'new');
    const text = await changed;
    assert.match(text, /event: change\ndata: \{"paths":\["docs\/edited\.txt"\]\}/);
    events.body.destroy();
  } finally {
    assert.equal(await s.stop(), 0, 'stops promptly even with an event stream open');
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('lab switches', () => {
  const body = 'a'.repeat(3000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-lab-'));
    writeFileSync(join(dir, 'a.txt'), body);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ask = 'GET /a.txt HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n';

  test('--chunked: no Content-Length, chunked framing; HEAD says chunked too', async () => {
    const s = await serve(dir, ['--chunked', '-q']);
    try {
      const { output } = await rawExchange(s.port, ask);
      const head = output.slice(0, output.indexOf('\r\n\r\n'));
      const rest = output.slice(head.length + 4);
      assert.match(head, /\r\nTransfer-Encoding: chunked/);
      assert.doesNotMatch(head, /Content-Length/i);
      assert.equal(rest, `bb8\r\n${body}\r\n0\r\n\r\n`);
      const headOnly = await rawExchange(s.port, 'HEAD /a.txt HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
      assert.match(headOnly.output, /Transfer-Encoding: chunked\r\n/);
      assert.ok(headOnly.output.endsWith('\r\n\r\n'));
    } finally {
      await s.stop();
    }
  });

  test('--http1.0: a 1.0 connection model: close after each response unless keep-alive was asked; with --chunked, close-delimited bodies', async () => {
    const s = await serve(dir, ['--http1.0', '--log', 'json']);
    try {
      const plain = await rawExchange(s.port, 'GET /a.txt HTTP/1.1\r\nHost: lab\r\n\r\n', { keepOpen: true });
      assert.equal(plain.timedOut, false, 'closed after the response, as a 1.0 server does');
      assert.match(plain.output, /^HTTP\/1\.0 200 OK\r\n/, 'the status line names the version it answers in');
      assert.match(plain.output, /\r\nContent-Length: 3000\r\n[^]*\r\nConnection: close\r\n/);
      const kept = await rawExchange(s.port, 'GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { keepOpen: true, timeoutMs: 500 });
      assert.equal(kept.timedOut, true, 'kept open when asked');
      assert.match(kept.output, /\r\nConnection: keep-alive\r\n/);
      const line = JSON.parse(s.err().trim().split('\n')[0]!) as { version: string; notes: string[] };
      assert.equal(line.version, 'HTTP/1.1', 'the log keeps the version the client sent');
      assert.match(line.notes[0]!, /lab: answered as HTTP\/1\.0 \(the client sent HTTP\/1\.1\)/);
    } finally {
      await s.stop();
    }
    const both = await serve(dir, ['--http1.0', '--chunked', '--log', 'json']);
    try {
      const { output, timedOut } = await rawExchange(both.port, 'GET /a.txt HTTP/1.1\r\nHost: lab\r\n\r\n', { keepOpen: true });
      assert.equal(timedOut, false);
      assert.match(output, /^HTTP\/1\.0 200 OK\r\n/);
      assert.doesNotMatch(output, /Transfer-Encoding|Content-Length/);
      assert.ok(output.endsWith(`\r\nConnection: close\r\n\r\n${body}`), 'the body ends when the connection does');
      const line = JSON.parse(both.err().trim().split('\n')[0]!) as { notes: string[] };
      assert.deepEqual(line.notes.slice(1), ['lab: no length, the body ends at the close'], 'the log does not call a close-delimited body chunked');
    } finally {
      await both.stop();
    }
  });

  test('--delay and --throttle: the answer waits, then the body trickles', async () => {
    const s = await serve(dir, ['--delay', '200', '--throttle', '10000', '-q']);
    try {
      const started = Date.now();
      const { output } = await rawExchange(s.port, ask);
      const took = Date.now() - started;
      assert.ok(output.endsWith(body));
      // 200 ms delay, then 3000 bytes at 1000 bytes per 100 ms slice
      assert.ok(took >= 450 && took < 3000, `took ${took} ms`);
    } finally {
      await s.stop();
    }
  });

  test('--drop-after: the head announces the full length, the connection closes after that many body bytes', async () => {
    const s = await serve(dir, ['--drop-after', '1000', '--log', 'json']);
    try {
      const { output, timedOut } = await rawExchange(s.port, 'GET /a.txt HTTP/1.1\r\nHost: lab\r\n\r\n', { keepOpen: true });
      assert.equal(timedOut, false);
      const head = output.slice(0, output.indexOf('\r\n\r\n'));
      const rest = output.slice(head.length + 4);
      assert.match(head, /Content-Length: 3000/);
      assert.equal(rest.length, 1000);
      await waitFor(s.err, /connection cut after 1000 body bytes/);
      const small = await rawExchange(s.port, 'GET /a.txt HTTP/1.1\r\nHost: lab\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n');
      assert.ok(small.output.endsWith('\r\n\r\naaaaaaaaaa'), 'responses shorter than the budget are whole');
    } finally {
      await s.stop();
    }
  });
});
