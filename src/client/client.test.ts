import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { CookieJar } from './cookie-jar.js';
import { ClientError } from './errors.js';
import { Agent } from './pool.js';
import { request } from './request.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** httpServer starts node:http on 127.0.0.1:0 and counts accepted connections. */
async function httpServer(handler: Handler): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const server = createHttpServer({ keepAliveTimeout: 5000 }, handler);
  let count = 0;
  server.on('connection', () => count++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, connections: () => count, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** rawServer answers every connection with `onConn` over node:net. */
async function rawServer(onConn: (s: Socket) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ClientError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ClientError, `not a ClientError: ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test('keep-alive: three requests on one agent use one server connection', async () => {
  const srv = await httpServer((req, res) => res.end(`hi ${req.url}`));
  const agent = new Agent();
  try {
    const seen: boolean[] = [];
    for (const p of ['/a', '/b', '/c']) {
      const res = await request(`${srv.url}${p}`, { agent });
      assert.equal(await res.text(), `hi ${p}`);
      seen.push(res.connection.reused);
    }
    assert.deepEqual(seen, [false, true, true]);
    assert.equal(srv.connections(), 1);
  } finally {
    agent.close();
    await srv.close();
  }
});

test('response head keeps raw order and case; timings are ordered', async () => {
  const srv = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 200 Fine\r\nX-Zeta: 1\r\nx-alpha: 2\r\nContent-Length: 2\r\n\r\nok')));
  try {
    const res = await request(srv.url, { agent: new Agent() });
    assert.equal(res.reason, 'Fine');
    assert.deepEqual(res.headers.raw, ['X-Zeta', '1', 'x-alpha', '2', 'Content-Length', '2']);
    assert.equal(await res.text(), 'ok');
    const t = res.timings;
    assert.ok(t.lookup <= t.connect && t.connect <= t.firstByte && t.firstByte <= t.total, JSON.stringify(t));
    assert.equal(res.connection.info.remoteAddress, '127.0.0.1');
  } finally {
    await srv.close();
  }
});

test('bodies: chunked with trailers, close-delimited, request stream sent chunked', async () => {
  const srv = await rawServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.startsWith('GET /chunked') && buf.endsWith('\r\n\r\n')) s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n');
      if (buf.startsWith('GET /close') && buf.endsWith('\r\n\r\n')) s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
      if (buf.startsWith('POST') && buf.endsWith('0\r\n\r\n')) s.end(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${buf.length}\r\n\r\n${buf}`);
    });
  });
  const agent = new Agent();
  try {
    const a = await request(`${srv.url}/chunked`, { agent });
    assert.equal(await a.text(), 'hello world');
    assert.equal(a.trailers?.get('x-sum'), '42');
    const b = await request(`${srv.url}/close`, { agent: new Agent() });
    assert.equal(await b.text(), 'until the end');
    const c = await request(`${srv.url}/up`, { agent: new Agent(), method: 'POST', body: Readable.from([Buffer.from('ab'), Buffer.from('cde')]), expectContinueAt: Infinity });
    const echoed = await c.text();
    assert.match(echoed, /Transfer-Encoding: chunked\r\n/);
    assert.ok(echoed.endsWith('\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n'), JSON.stringify(echoed));
  } finally {
    agent.close();
    await srv.close();
  }
});

test('redirects: 301/302/303/307/308 follow with the right method and body; max count', async () => {
  const srv = await httpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const m = /^\/r(\d{3})$/.exec(req.url ?? '');
      if (m !== null) {
        res.writeHead(Number(m[1]), { Location: '/final' });
        return res.end();
      }
      if (req.url === '/loop') {
        res.writeHead(302, { Location: '/loop' });
        return res.end();
      }
      res.end(`${req.method} ${body}`);
    });
  });
  const agent = new Agent();
  try {
    const want: Record<string, string> = { '301': 'GET ', '302': 'GET ', '303': 'GET ', '307': 'POST data', '308': 'POST data' };
    for (const [status, expected] of Object.entries(want)) {
      const res = await request(`${srv.url}/r${status}`, { agent, method: 'POST', body: 'data', followRedirects: true });
      assert.equal(await res.text(), expected, status);
      assert.equal(res.url, `${srv.url}/final`);
      assert.deepEqual(res.redirects, [`${srv.url}/r${status}`]);
    }
    const noFollow = await request(`${srv.url}/r302`, { agent });
    assert.equal(noFollow.status, 302);
    await noFollow.dump();
    await rejectsWith(request(`${srv.url}/loop`, { agent, followRedirects: true, maxRedirects: 3 }), 'EREDIRECT');
    assert.equal(srv.connections(), 1);
  } finally {
    agent.close();
    await srv.close();
  }
});

test('cookies: a jar carries Set-Cookie across requests and redirects', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(302, { 'Set-Cookie': ['sid=abc; Path=/; HttpOnly', 'tmp=1; Max-Age=0'], Location: '/me' });
      return res.end();
    }
    res.end(req.headers.cookie ?? '(none)');
  });
  const jar = new CookieJar();
  try {
    const res = await request(`${srv.url}/login`, { agent: new Agent(), cookieJar: jar, followRedirects: true });
    assert.equal(await res.text(), 'sid=abc');
    const again = await request(`${srv.url}/other`, { agent: new Agent(), cookieJar: jar });
    assert.equal(await again.text(), 'sid=abc');
  } finally {
    await srv.close();
  }
});

test('decompress: gzip, br and deflate bodies are decoded when asked', async () => {
  const text = 'compressible '.repeat(100);
  const enc: Record<string, Buffer> = { gzip: gzipSync(text), br: brotliCompressSync(text), deflate: deflateSync(text) };
  const srv = await httpServer((req, res) => {
    const coding = req.url!.slice(1);
    res.writeHead(200, { 'Content-Encoding': coding, 'X-Accept': req.headers['accept-encoding'] ?? '' });
    res.end(enc[coding]);
  });
  const agent = new Agent();
  try {
    for (const coding of Object.keys(enc)) {
      const res = await request(`${srv.url}/${coding}`, { agent, decompress: true });
      assert.equal(await res.text(), text, coding);
      assert.equal(res.headers.get('x-accept'), 'deflate, gzip, br');
    }
    const raw = await request(`${srv.url}/gzip`, { agent });
    assert.deepEqual(await raw.bytes(), enc.gzip);
  } finally {
    agent.close();
    await srv.close();
  }
});

test('timeouts: head timeout against a server that never answers; connect refused', async () => {
  const srv = await rawServer(() => {});
  try {
    const started = Date.now();
    const e = await rejectsWith(request(srv.url, { agent: new Agent(), timeouts: { head: 150 } }), 'ETIMEOUT');
    assert.equal((e as ClientError & { phase: string }).phase, 'head');
    assert.ok(Date.now() - started < 2000);
    await rejectsWith(request(srv.url, { agent: new Agent(), timeouts: { total: 150 } }), 'ETIMEOUT');
  } finally {
    await srv.close();
  }
  await rejectsWith(request(srv.url, { agent: new Agent() }), 'ECONNECT');
});

test('abort: an AbortSignal cancels a pending request with EABORTED', async () => {
  const srv = await rawServer(() => {});
  try {
    const ac = new AbortController();
    const p = request(srv.url, { agent: new Agent(), signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await rejectsWith(p, 'EABORTED');
  } finally {
    await srv.close();
  }
});

test('reset mid-body is an error, never a short body', async () => {
  const srv = await rawServer((s) => s.once('data', () => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
    setTimeout(() => s.resetAndDestroy(), 30);
  }));
  const srv2 = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')));
  try {
    const res = await request(srv.url, { agent: new Agent() });
    await rejectsWith(res.text(), 'ERESET');
    const res2 = await request(srv2.url, { agent: new Agent() });
    const e = await rejectsWith(res2.text(), 'ERESET');
    assert.equal((e as ClientError & { truncated: boolean }).truncated, true);
  } finally {
    await srv.close();
    await srv2.close();
  }
});

test('stale pooled connection: idempotent request retried once on a new connection', async () => {
  let conns = 0;
  const srv = await rawServer((s) => {
    conns++;
    s.once('data', () => {
      // Answer once, claim keep-alive, then close quietly shortly after (like a keep-alive timeout).
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => s.end(), 20);
    });
  });
  const agent = new Agent({ idleTimeout: 10_000 });
  try {
    assert.equal(await (await request(srv.url, { agent })).text(), 'ok');
    await new Promise((r) => setTimeout(r, 60));
    const again = await request(srv.url, { agent });
    assert.equal(await again.text(), 'ok');
    assert.equal(again.connection.reused, false);
    assert.equal(conns, 2);
  } finally {
    agent.close();
    await srv.close();
  }
});

test('Expect: 100-continue waits for the interim response; range requests give exact bytes', async () => {
  const data = Buffer.alloc(300_000, 7);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const srv = await httpServer((req, res) => {
    if (req.method === 'PUT') {
      const h = createHash('sha256');
      req.on('data', (d) => h.update(d));
      req.on('end', () => res.end(h.digest('hex')));
      return;
    }
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const from = m === null ? 0 : Number(m[1]);
    res.writeHead(m === null ? 200 : 206, { 'Content-Length': data.length - from });
    res.end(data.subarray(from));
  });
  const agent = new Agent();
  try {
    const put = await request(srv.url, { agent, method: 'PUT', body: data, expectContinueAt: 1024 });
    assert.equal(put.informational[0]?.status, 100);
    assert.equal(await put.text(), createHash('sha256').update(data).digest('hex'));
    const part = await request(srv.url, { agent, headers: { Range: 'bytes=1000-' } });
    assert.equal(part.status, 206);
    assert.deepEqual(await part.bytes(), data.subarray(1000));
  } finally {
    agent.close();
    await srv.close();
  }
});

test('pipelining: two GETs share one connection when the agent allows it', async () => {
  const srv = await httpServer((req, res) => setTimeout(() => res.end(req.url), 20));
  const agent = new Agent({ pipelining: 4, maxConnectionsPerOrigin: 1 });
  try {
    const first = await request(`${srv.url}/1`, { agent });
    await first.text();
    const [a, b] = await Promise.all([request(`${srv.url}/a`, { agent }), request(`${srv.url}/b`, { agent })]);
    assert.deepEqual([await a.text(), await b.text()], ['/a', '/b']);
    assert.equal(srv.connections(), 1);
  } finally {
    agent.close();
    await srv.close();
  }
});

// Found writing guide chapter 2: the client used to close at once after a `Connection: close`
// response and report 'client-close', while on the wire the server's FIN came first.
test('who closed: a server that ends right after a Connection: close response is reported as server-fin', async () => {
  const server = await rawServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
  });
  const reasons: string[] = [];
  const agent = new Agent({ observer: { close: (_c, reason) => reasons.push(reason) } });
  try {
    const res = await request(`${server.url}/`, { agent });
    assert.equal(await res.text(), 'ok');
    // the FIN is read after the body: wait for it (bounded), since a loaded machine may take a while
    for (let i = 0; i < 200 && reasons.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(reasons, ['server-fin']);
  } finally {
    agent.close();
    await server.close();
  }
});
