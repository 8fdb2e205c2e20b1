// `wirehttp serve` driven as a user would: spawn the CLI on port 0, read the URL it prints, ask.
// Uploads, live reload and the lab switches are in serve-features.test.ts.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { agent, cli, get, serve, tree, waitFor, type Served } from './serve-harness.js';

after(() => agent.close());

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
