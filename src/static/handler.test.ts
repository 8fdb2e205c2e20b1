import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import { connect, createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createStaticHandler } from './handler.js';
import { startServer, type Running } from './harness.test-util.js';

interface Got { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

let base = '';
let dir = '';
let server: Running;
let spaServer: Running;
const BIG = randomBytes(3 * 1024 * 1024 + 17);
const TEXT = 'hello wirehttp\n'.repeat(400); // 6000 bytes: above the compression threshold
const mtime = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
/** Every byte value twice: a cached small file goes out as a latin1 string, which must keep them all. */
const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'wirehttp-static-')));
  dir = join(base, 'www');
  const files: Record<string, string | Buffer> = {
    'hello.txt': 'hello\n', 'text.txt': TEXT, 'big.bin': BIG, 'mod.mjs': 'export {}\n', 'lib.wasm': Buffer.from([0, 97, 115, 109]),
    'site/index.html': '<h1>site</h1>', 'list/a b.txt': 'a', 'list/<x>.txt': 'x', 'list/sub/inner.txt': 'i',
    'pre/app.js': 'console.log(1)\n'.repeat(100), 'pre/app.js.br': 'BROTLI-BYTES', '.env': 'SECRET=1',
    'deep/404.html': '<p>deep missing</p>', 'deep/a/b.txt': 'b', 'empty.txt': '', 'app/index.html': '<p>spa</p>',
    'bytes.bin': ALL_BYTES,
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  await writeFile(join(base, 'outside.txt'), 'outside');
  await symlink('../outside.txt', join(dir, 'out-link'));
  await symlink('hello.txt', join(dir, 'in-link'));
  const { utimes } = await import('node:fs/promises');
  await utimes(join(dir, 'hello.txt'), mtime, mtime);
  await utimes(join(dir, 'bytes.bin'), mtime, mtime); // old enough to be kept in memory
  server = await startServer(createStaticHandler({ root: dir, cors: true }));
  spaServer = await startServer(createStaticHandler({ root: join(dir, 'app'), spa: 'index.html', listing: false }));
});
after(async () => {
  await server.close();
  await spaServer.close();
  await rm(base, { recursive: true, force: true });
});

function request(path: string, headers: Record<string, string> = {}, method = 'GET', port = server.port): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** raw sends a request line byte for byte (node:http would refuse some of these paths) and returns the status. */
function raw(target: string, port = server.port): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    s.on('data', (c: Buffer) => { text += c.toString('latin1'); });
    s.on('end', () => resolve(Number(text.slice(9, 12))));
    s.on('error', reject);
  });
}

const statuses: Array<{ name: string; path: string; method?: string; headers?: Record<string, string>; port?: () => number; want: number; body?: string; engineOnly?: boolean }> = [
  { name: 'file', path: '/hello.txt', want: 200, body: 'hello\n' },
  { name: 'symlink inside', path: '/in-link', want: 200, body: 'hello\n' },
  { name: 'index.html', path: '/site/', want: 200, body: '<h1>site</h1>' },
  { name: 'empty file', path: '/empty.txt', want: 200, body: '' },
  { name: 'missing', path: '/nope.txt', want: 404 },
  { name: 'file with trailing slash', path: '/hello.txt/', want: 404 },
  { name: 'dotfile hidden', path: '/.env', want: 404 },
  { name: 'symlink outside', path: '/out-link', want: 403 },
  { name: 'encoded dot dot', path: '/%2e%2e/outside.txt', want: 400 },
  { name: 'encoded slash', path: '/..%2foutside.txt', want: 400 },
  { name: 'overlong utf-8', path: '/%c0%ae%c0%ae/outside.txt', want: 400 },
  { name: 'POST -> 405', path: '/hello.txt', method: 'POST', want: 405 },
  { name: 'DELETE -> 405', path: '/hello.txt', method: 'DELETE', want: 405 },
  // node:http's parser answers 400 to unknown methods itself, so this row needs our engine
  { name: 'unknown method -> 501', path: '/hello.txt', method: 'BREW', want: 501, engineOnly: true },
  { name: 'OPTIONS -> 204', path: '/hello.txt', method: 'OPTIONS', want: 204 },
  { name: 'nearest 404.html', path: '/deep/a/missing', want: 404, body: '<p>deep missing</p>' },
  { name: 'spa fallback for HTML clients', path: '/route/x', headers: { accept: 'text/html' }, port: () => spaServer.port, want: 200, body: '<p>spa</p>' },
  { name: 'spa: no fallback without HTML', path: '/x.js', headers: { accept: '*/*' }, port: () => spaServer.port, want: 404 },
];
for (const c of statuses) {
  test(`status: ${c.name}`, async (t) => {
    if (c.engineOnly === true && server.engine !== 'wirehttp') return t.skip('needs the wirehttp engine');
    const got = await request(c.path, c.headers, c.method, c.port?.());
    assert.equal(got.status, c.want);
    assert.equal(got.headers['x-content-type-options'], 'nosniff');
    if (c.body !== undefined) assert.equal(got.body.toString(), c.body);
  });
}

const traversal = ['/../outside.txt', '/a/../../outside.txt', '/..\\outside.txt', '/%2e%2e%5coutside.txt', '/a%00b', '/C:/x', '/%zz'];
for (const t of traversal) test(`raw traversal refused: ${t}`, async () => assert.equal(await raw(t), 400));

test('GET file: headers', async () => {
  const got = await request('/hello.txt');
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(got.headers['accept-ranges'], 'bytes');
  assert.equal(got.headers['cache-control'], 'no-cache');
  assert.equal(got.headers['last-modified'], mtime.toUTCString());
  assert.match(got.headers.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.equal(got.headers['access-control-allow-origin'], '*');
});

const types = [{ path: '/mod.mjs', want: 'text/javascript; charset=utf-8' }, { path: '/lib.wasm', want: 'application/wasm' }];
for (const c of types) test(`content-type ${c.path}`, async () => assert.equal((await request(c.path)).headers['content-type'], c.want));

test('HEAD: same headers, no body', async () => {
  const got = await request('/hello.txt', {}, 'HEAD');
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-length'], '6');
  assert.equal(got.body.length, 0);
});

test('OPTIONS and 405 carry Allow', async () => {
  assert.equal((await request('/', {}, 'OPTIONS')).headers.allow, 'GET, HEAD, OPTIONS');
  assert.equal((await request('/', {}, 'PUT')).headers.allow, 'GET, HEAD, OPTIONS');
});

test('directory without slash -> 301 keeping the query', async () => {
  const got = await request('/list?x=1&y=2');
  assert.equal(got.status, 301);
  assert.equal(got.headers.location, '/list/?x=1&y=2');
});

test('listing: HTML, escaped, folders first', async () => {
  const got = await request('/list/');
  const html = got.body.toString();
  assert.equal(got.headers['content-type'], 'text/html; charset=utf-8');
  assert.ok(html.indexOf('sub/') < html.indexOf('a b.txt'));
  assert.ok(html.includes('href="%3Cx%3E.txt">&lt;x&gt;.txt</a>'));
  assert.ok(html.includes('href="a%20b.txt"'));
});

test('listing: JSON', async () => {
  const got = await request('/list/', { accept: 'application/json' });
  const json = JSON.parse(got.body.toString()) as { path: string; entries: Array<{ name: string }> };
  assert.equal(json.path, '/list/');
  assert.deepEqual(json.entries.map((e) => e.name), ['sub', '<x>.txt', 'a b.txt']);
});

test('conditional: 304 and 412', async () => {
  const first = await request('/hello.txt');
  const etag = first.headers.etag!;
  const rows: Array<[Record<string, string>, number]> = [
    [{ 'if-none-match': etag }, 304],
    [{ 'if-none-match': '"other"' }, 200],
    [{ 'if-modified-since': mtime.toUTCString() }, 304],
    [{ 'if-modified-since': new Date(mtime.getTime() - 5000).toUTCString() }, 200],
    [{ 'if-match': '"other"' }, 412],
    [{ 'if-match': etag }, 200],
    [{ 'if-unmodified-since': new Date(mtime.getTime() - 5000).toUTCString() }, 412],
  ];
  for (const [headers, want] of rows) {
    const got = await request('/hello.txt', headers);
    assert.equal(got.status, want, JSON.stringify(headers));
    if (want === 304) assert.equal(got.headers.etag, etag);
  }
});

test('range: single, suffix, multipart, 416, If-Range', async () => {
  let got = await request('/text.txt', { range: 'bytes=0-4' });
  assert.equal(got.status, 206);
  assert.equal(got.headers['content-range'], `bytes 0-4/${TEXT.length}`);
  assert.equal(got.body.toString(), 'hello');
  got = await request('/big.bin', { range: 'bytes=-500' });
  assert.deepEqual(got.body, BIG.subarray(BIG.length - 500));
  got = await request('/text.txt', { range: 'bytes=0-1,6-7' });
  assert.equal(got.status, 206);
  assert.match(got.headers['content-type'] ?? '', /^multipart\/byteranges; boundary=/);
  assert.equal(Number(got.headers['content-length']), got.body.length);
  assert.match(got.body.toString(), /Content-Range: bytes 0-1\/6000\r\n\r\nhe\r\n--/);
  got = await request('/text.txt', { range: 'bytes=9999-' });
  assert.equal(got.status, 416);
  assert.equal(got.headers['content-range'], 'bytes */6000');
  got = await request('/text.txt', { range: 'bytes=0-4', 'if-range': '"stale"' });
  assert.equal(got.status, 200);
  got = await request('/text.txt', { range: 'bytes=0-4', 'accept-encoding': 'gzip' });
  assert.equal(got.status, 206);
  assert.equal(got.headers['content-encoding'], undefined);
});

test('compression: br, gzip, identity, Vary', async () => {
  let got = await request('/text.txt', { 'accept-encoding': 'gzip, br' });
  assert.equal(got.headers['content-encoding'], 'br');
  assert.equal(got.headers.vary, 'Accept-Encoding');
  assert.equal(brotliDecompressSync(got.body).toString(), TEXT);
  got = await request('/text.txt', { 'accept-encoding': 'gzip' });
  assert.equal(got.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(got.body).toString(), TEXT);
  got = await request('/text.txt', { 'accept-encoding': 'br;q=0, gzip;q=0' });
  assert.equal(got.headers['content-encoding'], undefined);
  assert.equal(got.body.toString(), TEXT);
  got = await request('/big.bin', { 'accept-encoding': 'gzip' });
  assert.equal(got.headers['content-encoding'], undefined);
});

test('precompressed sibling is served', async () => {
  const got = await request('/pre/app.js', { 'accept-encoding': 'br' });
  assert.equal(got.headers['content-encoding'], 'br');
  assert.equal(got.body.toString(), 'BROTLI-BYTES');
});

test('large file streams intact', async () => {
  const got = await request('/big.bin');
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(BIG));
});

test('error pages do not leak the path', async () => {
  const got = await request('/%2e%2e/secret-name');
  assert.ok(!got.body.toString().includes('secret-name'));
});

test('python http.server parity for file GETs', { skip: spawnSync('python3', ['--version']).status !== 0 }, async () => {
  const port = await freePort();
  const py: ChildProcess = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dir], { stdio: 'ignore' });
  try {
    await waitFor(port);
    for (const path of ['/hello.txt', '/big.bin', '/site/', '/list/a%20b.txt', '/nope.txt', '/mod.mjs']) {
      const [ours, theirs] = await Promise.all([request(path), request(path, {}, 'GET', port)]);
      assert.equal(ours.status, theirs.status, path);
      if (ours.status === 200) assert.ok(ours.body.equals(theirs.body), path);
    }
  } finally {
    py.kill();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('python http.server did not start');
}

test('a cached small binary file is sent byte for byte, first read and from memory alike; a Range of it too', async () => {
  for (let i = 0; i < 3; i++) {
    const got = await request('/bytes.bin');
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-length'], '512');
    assert.deepEqual(got.body, ALL_BYTES, `request ${i + 1}`);
  }
  const part = await request('/bytes.bin', { range: 'bytes=250-261' });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, ALL_BYTES.subarray(250, 262));
});
