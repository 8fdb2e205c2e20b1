// `wirehttp serve` driven as a user would: spawn the CLI on port 0, read the URL it prints, ask.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { Agent, request, type RequestOptions } from '../../src/client/index.js';
import { rawExchange } from '../support/raw.js';
import { cli, serve, waitFor, type Served } from './serve-harness.js';

const agent = new Agent();
after(() => agent.close());

async function get(url: string, options: RequestOptions = {}): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const res = await request(url, { agent, ...options });
  const body = await res.bytes();
  const headers: Record<string, string> = {};
  const list = res.headers.entries();
  for (const [k, v] of list) headers[k.toLowerCase()] = v;
  return { status: res.status, headers, body };
}

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-cli-'));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'big.txt'), 'lorem ipsum dolor sit amet '.repeat(400));
  writeFileSync(join(dir, 'docs', 'a <b>.txt'), 'a');
  writeFileSync(join(dir, 'app', 'index.html'), '<!doctype html><html><body><p>app</p></body></html>');
  writeFileSync(join(dir, '.secret'), 'hidden');
  return dir;
}

describe('errors: one line, non-zero exit, no stack', () => {
  const cases: Array<{ name: string; args: string[]; want: RegExp; code: number }> = [
    { name: 'missing folder', args: ['serve', '0', '-d', '/no/such/folder'], want: /no such folder: \/no\/such\/folder/, code: 2 },
    { name: 'unknown flag', args: ['serve', '--frobnicate'], want: /Unknown option '--frobnicate'/, code: 2 },
    { name: 'bad port', args: ['serve', '99999'], want: /invalid port '99999'/, code: 2 },
    { name: 'bad --log', args: ['serve', '0', '--log', 'xml'], want: /invalid --log 'xml'/, code: 2 },
    { name: 'bad --max-upload', args: ['serve', '0', '--upload', '--max-upload', 'lots'], want: /invalid --max-upload 'lots'/, code: 2 },
    { name: '--cert without --key', args: ['serve', '0', '--cert', 'c.pem'], want: /--cert and --key go together/, code: 2 },
    { name: 'unreadable --cert', args: ['serve', '0', '--cert', '/no/c.pem', '--key', '/no/k.pem'], want: /cannot read --cert \/no\/c.pem: ENOENT/, code: 1 },
    { name: 'missing --spa page', args: ['serve', '0', '-d', '/', '--spa', 'no-such-page.html'], want: /--spa page not found/, code: 2 },
    { name: 'unknown bind address', args: ['serve', '0', '-b', '203.0.113.77'], want: /cannot bind 203\.0\.113\.77: no such local address/, code: 1 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const run = cli(c.args);
      assert.equal(await run.exit, c.code, run.err());
      assert.equal(run.err().trim().split('\n').length, 1, run.err());
      assert.match(run.err(), c.want);
      assert.doesNotMatch(run.err(), /\n\s+at /);
    });
  }

  test('port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = cli(['serve', String(port)]);
      assert.equal(await run.exit, 1);
      assert.equal(run.err().trim(), `wirehttp: serve: port ${port} is in use on 127.0.0.1 (try another, or 0 for a free one)`);
    } finally {
      blocker.close();
    }
  });
});

test('--help lists every option with examples', async () => {
  const run = cli(['serve', '--help']);
  assert.equal(await run.exit, 0);
  for (const flag of ['-b, --bind', '-d, --directory', '--cors', '--cache', '--spa', '--no-listing', '--show-hidden', '--gzip, --no-gzip', '--tls', '--cert FILE --key FILE', '--upload', '--overwrite', '--max-upload', '--watch', '--quiet', '--log', '--delay', '--throttle', '--chunked', '--http1.0', '--drop-after', '--follow-symlinks', 'Examples:']) {
    assert.ok(run.out().includes(flag), `help lacks ${flag}`);
  }
});

describe('a folder served on a free port', () => {
  let dir: string;
  let s: Served;
  before(async () => {
    dir = tree();
    s = await serve(dir);
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('banner: the URL, the port picked for 0 and how to share', () => {
    assert.match(s.out(), /^Serving .*wirehttp-serve-cli-/);
    assert.match(s.out(), new RegExp(`Port ${s.port} \\(a free port`));
    assert.match(s.out(), new RegExp(`To share on your network: wirehttp serve ${s.port} -b 0\\.0\\.0\\.0`));
  });

  test('listing: HTML with escaped, encoded names; JSON on request', async () => {
    const html = await get(`${s.base}/docs/`);
    assert.equal(html.status, 200);
    assert.match(html.body.toString(), /<a href="a%20%3Cb%3E\.txt">a &lt;b&gt;\.txt<\/a>/);
    const root = await get(`${s.base}/`, { headers: { accept: 'application/json' } });
    const doc = JSON.parse(root.body.toString()) as { entries: Array<{ name: string; type: string }> };
    assert.deepEqual(doc.entries.map((e) => `${e.type}:${e.name}`), ['directory:app', 'directory:docs', 'file:big.txt', 'file:hello.txt']);
  });

  test('folder without slash -> 301 keeping the query', async () => {
    const r = await get(`${s.base}/docs?sort=name&x=%20`);
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/docs/?sort=name&x=%20');
  });

  test('ranges: single, multipart, unsatisfiable', async () => {
    const one = await get(`${s.base}/hello.txt`, { headers: { range: 'bytes=1-3' } });
    assert.equal(one.status, 206);
    assert.equal(one.body.toString(), 'ell');
    assert.equal(one.headers['content-range'], 'bytes 1-3/6');
    const many = await get(`${s.base}/hello.txt`, { headers: { range: 'bytes=0-0,-1' } });
    assert.match(many.headers['content-type']!, /^multipart\/byteranges; boundary=/);
    const none = await get(`${s.base}/hello.txt`, { headers: { range: 'bytes=50-' } });
    assert.equal(none.status, 416);
    assert.equal(none.headers['content-range'], 'bytes */6');
  });

  test('validators: 304 for If-None-Match and If-Modified-Since', async () => {
    const first = await get(`${s.base}/hello.txt`);
    const etag = first.headers.etag!;
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { 'if-modified-since': first.headers['last-modified']! } })).status, 304);
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { 'if-match': '"nope"' } })).status, 412);
  });

  test('compression: br and gzip by q-value, Vary', async () => {
    const original = readFileSync(join(dir, 'big.txt'));
    const br = await get(`${s.base}/big.txt`, { headers: { 'accept-encoding': 'gzip;q=0.5, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.deepEqual(brotliDecompressSync(br.body), original);
    const gz = await get(`${s.base}/big.txt`, { headers: { 'accept-encoding': 'gzip, br;q=0.1' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), original);
  });

  test('methods: HEAD, OPTIONS with Allow, 405 with Allow, 501', async () => {
    const head = await get(`${s.base}/hello.txt`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '6');
    assert.equal(head.body.length, 0);
    const options = await get(`${s.base}/hello.txt`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
    const del = await get(`${s.base}/hello.txt`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal((await get(`${s.base}/hello.txt`, { method: 'BREW' })).status, 501);
  });

  test('dotfiles hidden; access log plain when piped, with status, bytes, time and user agent', async () => {
    assert.equal((await get(`${s.base}/.secret`)).status, 404);
    await get(`${s.base}/hello.txt?from=log`, { headers: { 'user-agent': 'tester/1 "quoted"' } });
    const line = await waitFor(s.err, /^.*"GET \/hello\.txt\?from=log HTTP\/1\.1".*$/m);
    assert.match(line[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1 "GET \/hello\.txt\?from=log HTTP\/1\.1" 200 6 B \d+\.\d ms "tester\/1 \\"quoted\\""$/);
    assert.doesNotMatch(s.err(), /\x1b\[/);
  });
});

test('--log json: one object per request with the SPA note; --spa only for HTML clients', async () => {
  const dir = tree();
  const s = await serve(dir, ['--log', 'json', '--spa', 'app/index.html']);
  try {
    const page = await get(`${s.base}/route/deep`, { headers: { accept: 'text/html,*/*;q=0.8', 'user-agent': 'browser' } });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<p>app<\/p>/);
    assert.equal((await get(`${s.base}/route/deep`, { headers: { accept: '*/*' } })).status, 404);
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { accept: 'text/html' } })).body.toString(), 'hello\n');
    await waitFor(s.err, /(.*\n){3}/);
    const lines = s.err().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    const [spa, notHtml, file] = lines;
    assert.deepEqual(Object.keys(spa!).sort(), ['bytes', 'client', 'method', 'ms', 'notes', 'status', 'target', 'time', 'userAgent', 'version']);
    assert.equal(spa!.status, 200);
    assert.equal(spa!.target, '/route/deep');
    assert.equal(spa!.userAgent, 'browser');
    assert.equal(spa!.client, '127.0.0.1');
    assert.equal(typeof spa!.ms, 'number');
    assert.deepEqual(spa!.notes, ['spa: no file here and the client accepts HTML, sent /app/index.html']);
    assert.deepEqual(notHtml!.notes, ['spa: not applied, the client does not accept text/html']);
    assert.equal(file!.notes, undefined);
    assert.equal(file!.bytes, 6);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--quiet: no access log; --no-gzip: identity; --show-hidden: dotfiles', async () => {
  const dir = tree();
  const s = await serve(dir, ['--quiet', '--no-gzip', '--show-hidden']);
  try {
    const r = await get(`${s.base}/big.txt`, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal((await get(`${s.base}/.secret`)).body.toString(), 'hidden');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.err(), '');
  } finally {
    assert.equal(await s.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--tls: a self-signed certificate made once, cached, reused, trusted for 127.0.0.1', async () => {
  const dir = tree();
  const cache = mkdtempSync(join(tmpdir(), 'wirehttp-cache-'));
  const env = { XDG_CACHE_HOME: cache };
  try {
    const first = await serve(dir, ['--tls', '--quiet'], env);
    assert.match(first.base, /^https:/);
    assert.match(first.out(), /made now and kept in .*wirehttp-cache-.*\/wirehttp/);
    const fingerprint = (await waitFor(first.out, /SHA-256 fingerprint: ([0-9A-F:]{95})/))[1];
    const ca = readFileSync(join(cache, 'wirehttp', 'localhost-cert.pem'));
    const r = await get(`${first.base}/hello.txt`, { tls: { ca } });
    assert.equal(r.body.toString(), 'hello\n');
    assert.equal(await first.stop(), 0);
    const second = await serve(dir, ['--tls', '--quiet'], env);
    assert.match(second.out(), /reused in /);
    assert.match(second.out(), new RegExp(`fingerprint: ${fingerprint}`));
    assert.equal((await get(`${second.base}/hello.txt`, { tls: { ca, servername: 'localhost' } })).status, 200);
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

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
      assert.match(plain.output, /\r\nContent-Length: 3000\r\n[^]*\r\nConnection: close\r\n/);
      const kept = await rawExchange(s.port, 'GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { keepOpen: true, timeoutMs: 500 });
      assert.equal(kept.timedOut, true, 'kept open when asked');
      assert.match(kept.output, /\r\nConnection: keep-alive\r\n/);
      const line = JSON.parse(s.err().trim().split('\n')[0]!) as { version: string; notes: string[] };
      assert.equal(line.version, 'HTTP/1.0');
      assert.match(line.notes[0]!, /lab: answered as HTTP\/1\.0 \(the client sent HTTP\/1\.1\)/);
    } finally {
      await s.stop();
    }
    const both = await serve(dir, ['--http1.0', '--chunked', '-q']);
    try {
      const { output, timedOut } = await rawExchange(both.port, 'GET /a.txt HTTP/1.1\r\nHost: lab\r\n\r\n', { keepOpen: true });
      assert.equal(timedOut, false);
      assert.doesNotMatch(output, /Transfer-Encoding|Content-Length/);
      assert.ok(output.endsWith(`\r\nConnection: close\r\n\r\n${body}`), 'the body ends when the connection does');
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

test('--cert/--key: your own certificate; a key that does not match is one line, exit 1', async () => {
  const dir = tree();
  const cache = mkdtempSync(join(tmpdir(), 'wirehttp-cache-'));
  try {
    const made = await serve(dir, ['--tls', '-q'], { XDG_CACHE_HOME: cache });
    await made.stop();
    const cert = join(cache, 'wirehttp', 'localhost-cert.pem');
    const key = join(cache, 'wirehttp', 'localhost-key.pem');
    const s = await serve(dir, ['--cert', cert, '--key', key, '-q']);
    assert.match(s.out(), /^ {2}https:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.doesNotMatch(s.out(), /self-signed/);
    assert.equal((await get(`${s.base}/hello.txt`, { tls: { ca: readFileSync(cert) } })).status, 200);
    await s.stop();
    const other = join(cache, 'other-key.pem');
    writeFileSync(other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const bad = cli(['serve', '0', '-d', dir, '--cert', cert, '--key', other]);
    assert.equal(await bad.exit, 1);
    assert.equal(bad.err().trim(), `wirehttp: serve: ${other} is not the private key of ${cert}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

test('a large file to a client that does not read: the server streams with backpressure, its memory stays flat', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-big-'));
  writeFileSync(join(dir, 'big.bin'), ''); // then grown sparse: no disk space used
  truncateSync(join(dir, 'big.bin'), 512 * 1024 * 1024);
  const s = await serve(dir, ['-q']);
  const rssMb = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.child.pid}/status`, 'utf8'))![1]) / 1024;
  const socket = connect(s.port, '127.0.0.1');
  try {
    await new Promise<void>((r) => socket.once('connect', r));
    const before = rssMb();
    socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    let received = 0;
    socket.on('data', (c: Buffer) => {
      received += c.length;
      if (received > 4 * 1024 * 1024) socket.pause(); // a slow client: stop reading after 4 MiB
    });
    await waitFor(() => String(received), /^[1-9]\d{6,}$/);
    await new Promise((r) => setTimeout(r, 700));
    const grown = rssMb() - before;
    assert.ok(received < 64 * 1024 * 1024, `received ${received}`);
    assert.ok(grown < 48, `server RSS grew ${grown.toFixed(1)} MiB while a 512 MiB file waited on a paused client`);
  } finally {
    socket.destroy();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HEAD of generated pages (listing, 301, 404) carries the Content-Length of the GET body', async () => {
  const dir = tree();
  const s = await serve(dir, ['-q']);
  try {
    for (const path of ['/', '/docs', '/missing']) {
      const got = await get(`${s.base}${path}`);
      const head = await get(`${s.base}${path}`, { method: 'HEAD' });
      assert.equal(head.status, got.status, path);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['content-length'], String(got.body.length), path);
    }
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
