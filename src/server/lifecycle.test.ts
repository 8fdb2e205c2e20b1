import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect as tlsConnect } from 'node:tls';
import { connect } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import selfsigned from 'selfsigned';
import { openRaw, rawExchange, sleep, statusLines } from '../../test/support/raw.js';
import { toolSkip } from '../../test/support/tools.js';
import { createServer } from './server.js';
import type { CloseReason, Handler } from './types.js';

const run = promisify(execFile);

const echo: Handler = async (req, res) => {
  if (req.path === '/slow') await sleep(150);
  res.end(req.hasBody ? await req.text() : `path ${req.path}`);
};

async function start(handler: Handler, options: Parameters<typeof createServer>[1] = {}) {
  const server = createServer(handler, options);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

test('Expect: 100-continue is answered before the body is sent', async () => {
  const { server, port } = await start(echo);
  const { socket, read } = await openRaw(port);
  socket.write('POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  assert.match(await read(/HTTP\/1\.1 100 Continue\r\n\r\n/), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
  socket.write('hello');
  assert.match(await read(/\r\n\r\nhello$/), /^HTTP\/1\.1 200 OK/);
  socket.destroy();
  await server.close();
});

test('Expect: 100-continue over the limit gets 413 without sending the body', async () => {
  const { server, port } = await start(echo, { limits: { maxBodyBytes: 10 } });
  const { socket, read } = await openRaw(port);
  socket.write('POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n');
  const out = await read(/\r\n\r\n[^]*\n$/);
  assert.match(out, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(out, /100 Continue/);
  socket.destroy();
  await server.close();
});

test('slow header section gets 408 and is closed (slowloris)', async () => {
  const { server, port } = await start(echo, { headersTimeout: 200 });
  const started = Date.now();
  const { output, timedOut } = await rawExchange(port, ['GET / HTTP/1.1\r\n', 'Host: t\r\n', 'X-A: 1\r\n', 'X-B: 1\r\n', 'X-C: 1\r\n', 'X-D: 1\r\n'], { gapMs: 80, keepOpen: true, timeoutMs: 2000 });
  assert.equal(timedOut, false);
  assert.deepEqual(statusLines(output), ['HTTP/1.1 408 Request Timeout']);
  assert.ok(Date.now() - started < 1500);
  await server.close();
});

test('idle keep-alive connection is closed after the timeout', async () => {
  const { server, port } = await start(echo, { keepAliveTimeout: 150 });
  const { output, timedOut, closedAt } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { keepOpen: true, timeoutMs: 2000 });
  assert.equal(timedOut, false);
  assert.deepEqual(statusLines(output), ['HTTP/1.1 200 OK']);
  assert.ok(closedAt >= 100, `closed after ${closedAt} ms`);
  await server.close();
});

test('stalled body gets 408', async () => {
  const { server, port } = await start(echo, { bodyTimeout: 150 });
  const { output, timedOut } = await rawExchange(port, 'POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc', { keepOpen: true, timeoutMs: 2000 });
  assert.equal(timedOut, false);
  assert.deepEqual(statusLines(output), ['HTTP/1.1 408 Request Timeout']);
  await server.close();
});

test('graceful shutdown finishes requests in flight, then closes', async () => {
  const { server, port } = await start(echo);
  const inFlight = rawExchange(port, 'GET /slow HTTP/1.1\r\nHost: t\r\n\r\n', { keepOpen: true });
  const idle = rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { keepOpen: true });
  await sleep(50);
  const closing = server.close();
  const [a, b] = await Promise.all([inFlight, idle]);
  await closing;
  assert.deepEqual(statusLines(a.output), ['HTTP/1.1 200 OK']);
  assert.match(a.output, /Connection: close\r\n[^]*path \/slow$/);
  assert.equal(a.timedOut, false);
  assert.equal(b.timedOut, false);
  assert.equal(server.connectionCount, 0);
  const refused = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n').catch(() => ({ output: '', timedOut: false }));
  assert.equal(refused.output, '');
});

test('a large chunked upload streams through with backpressure', async () => {
  const counter: Handler = async (req, res) => {
    let n = 0;
    for await (const chunk of req.body) {
      n += (chunk as Buffer).length;
      if (n % (1 << 20) < 65536) await sleep(1); // a slow reader
    }
    res.end(String(n));
  };
  const { server, port } = await start(counter);
  const { socket, read } = await openRaw(port);
  socket.write('POST /u HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
  const piece = Buffer.alloc(64 * 1024, 0x61);
  const total = 8 * 1024 * 1024;
  for (let sent = 0; sent < total; sent += piece.length) {
    const ok = socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    if (!ok) await new Promise((r) => socket.once('drain', r));
  }
  socket.write('0\r\n\r\n');
  assert.match(await read(new RegExp(`\r\n\r\n${total}$`), 10_000), /^HTTP\/1\.1 200 OK/);
  socket.destroy();
  await server.close();
});

test('observer sees open, heads, response end and who closed', async () => {
  const { server, port } = await start(echo);
  const events: string[] = [];
  let bytesIn = 0;
  let bytesOut = 0;
  let reason: CloseReason | undefined;
  server.observe({
    open: (c) => events.push(`open ${c.id}`),
    bytesIn: (_c, b) => (bytesIn += b.length),
    bytesOut: (_c, b) => (bytesOut += b.length),
    requestHead: (c, req) => events.push(`head ${c.id} ${req.method} ${req.target}`),
    responseEnd: (c, _req, res) => events.push(`end ${c.id} ${res.statusCode}`),
    close: (c, r) => {
      reason = r;
      events.push(`close ${c.id}`);
    },
  });
  const input = 'GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
  const { output } = await rawExchange(port, input, { keepOpen: true });
  await sleep(20);
  assert.deepEqual(events, ['open 1', 'head 1 GET /a', 'end 1 200', 'head 1 GET /b', 'end 1 200', 'close 1']);
  assert.equal(reason, 'server-close');
  assert.equal(bytesIn, input.length);
  assert.equal(bytesOut, Buffer.byteLength(output, 'latin1'));
  await server.close();
});

test('TLS: HTTPS with a key and certificate', async () => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
  const { server, port } = await start(echo, { tls: { key: pems.private, cert: pems.cert } });
  const out = await new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', ca: pems.cert, servername: 'localhost' }, () => {
      s.write('GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.match(out, /^HTTP\/1\.1 200 OK[^]*path \/tls$/);
  await server.close();
});

test('curl -v with two URLs reuses one connection', { skip: toolSkip('curl', 'apt-get install -y curl') }, async () => {
  const { server, port } = await start(echo);
  let opened = 0;
  server.observe({ open: () => opened++ });
  const url = `http://127.0.0.1:${port}/`;
  const { stdout, stderr } = await run('curl', ['-sv', `${url}one`, `${url}two`]);
  assert.equal(stdout, 'path /onepath /two');
  assert.match(stderr, /Re-using existing connection|Reusing existing/i);
  assert.equal(opened, 1);
  await server.close();
});

test('a handler that stops reading over its limit answers 413 and the client gets it', async () => {
  const limited: Handler = async (req, res) => {
    try {
      await req.text(1000);
      res.end('read');
    } catch (error) {
      res.status((error as { status?: number }).status ?? 500).end('too big');
    }
  };
  const { server, port } = await start(limited);
  const { socket, read } = await openRaw(port);
  socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n');
  socket.write(Buffer.alloc(200_000, 0x62));
  assert.match(await read(/too big$/), /^HTTP\/1\.1 413 /);
  socket.destroy();
  await server.close();
});

test('keep-alive continues after a body whose last chunk filled the stream buffer (17,000 bytes)', async () => {
  const { server, port } = await start(async (req, res) => res.end(String((await req.bytes()).length)));
  const { socket, read } = await openRaw(port);
  for (const size of [17_000, 70_000, 16_000]) {
    socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`);
    socket.write(Buffer.alloc(size, 0x61));
    assert.match(await read(new RegExp(`\r\n\r\n${size}$`)), /^HTTP\/1\.1 200 OK/);
  }
  socket.write('GET /next HTTP/1.1\r\nHost: t\r\n\r\n');
  assert.match(await read(/\r\n\r\n0$/), /^HTTP\/1\.1 200 OK/);
  socket.destroy();
  await server.close();
});

test('lingering close reads and drops a body the handler stopped reading, so the client gets no reset', { timeout: 10_000 }, async () => {
  // The handler reads one chunk, stops (its stream holds the socket's input), and answers 413 with
  // close. Our half-close must go on reading: a paused socket would fill the client's window and,
  // at the linger limit, destroy with unread bytes, which the kernel turns into an RST.
  const { server, port } = await start(async (req, res) => {
    const body = req.body;
    await new Promise((resolve) => body.once('data', resolve));
    body.pause();
    res.status(413).closeAfter().end('too big\n');
  });
  const total = 16 * 1024 * 1024;
  const { socket } = await openRaw(port);
  let answer = '';
  let failure: Error | undefined;
  socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
  socket.on('error', (error) => (failure = error));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${total}\r\n\r\n`);
  const piece = Buffer.alloc(256 * 1024, 0x61);
  const started = Date.now();
  for (let sent = 0; sent < total && !socket.destroyed; sent += piece.length) {
    if (!socket.write(piece)) await new Promise((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
  }
  socket.end();
  await closed;
  assert.equal(failure, undefined, 'the client saw no reset');
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.ok(Date.now() - started < 1500, `closed after ${Date.now() - started} ms, not at the linger limit`);
  for (let i = 0; i < 50 && server.connectionCount > 0; i++) await sleep(10);
  assert.equal(server.connectionCount, 0);
  await server.close();
});

/** A client that never sends its FIN: it reads until the server closes, or gives up after `ms`. */
async function halfOpenClient(port: number, request: string, ms: number): Promise<{ output: string; closedByServer: boolean; failure?: Error }> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let output = '';
  let failure: Error | undefined;
  socket.on('data', (c: Buffer) => (output += c.toString('latin1')));
  socket.on('error', (error) => (failure = error));
  const ended = new Promise<boolean>((resolve) => {
    socket.once('end', () => resolve(true));
    setTimeout(() => resolve(false), ms);
  });
  socket.write(request);
  const closedByServer = await ended;
  socket.destroy();
  return { output, closedByServer, failure };
}

// A client that asked to close and sent nothing more has nothing to lose to an RST: the server closes
// without waiting for its FIN (nginx's lingering_close auto). Anything more from the client (a
// pipelined request, an unread body) keeps the lingering close.
const closeCases: Array<{ name: string; request: string; quick: boolean; body?: number }> = [
  { name: 'Connection: close', request: 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', quick: true },
  { name: 'HTTP/1.0 without keep-alive', request: 'GET / HTTP/1.0\r\n\r\n', quick: true },
  { name: 'Connection: close with a 4 MiB answer', request: 'GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', quick: true, body: 4 * 1024 * 1024 },
  { name: 'a request pipelined after the closing one', request: 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n', quick: false },
  { name: 'Connection: close with a body left unread', request: 'POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 100\r\n\r\nabc', quick: false },
];
for (const c of closeCases) {
  test(`closing after ${c.name}: ${c.quick ? 'at once' : 'lingers for the client'}`, { timeout: 10_000 }, async () => {
    const big = Buffer.alloc(c.body ?? 0, 0x7a);
    const { server, port } = await start((req, res) => void res.end(req.path === '/big' ? big : 'hi'));
    const { output, closedByServer, failure } = await halfOpenClient(port, c.request, 600);
    assert.equal(failure, undefined, 'the client saw no reset');
    assert.match(output, /^HTTP\/1\.[01] 200 OK\r\n/);
    assert.equal(output.length - output.indexOf('\r\n\r\n') - 4, c.body ?? 2, 'the whole body arrived');
    // lingering, the server half-closes (the client sees its FIN) but keeps reading until the client's FIN
    assert.equal(closedByServer, true);
    assert.equal(server.connectionCount, c.quick ? 0 : 1);
    await server.close();
  });
}

test('a handler writing a large body without awaiting first still sees backpressure (write returns false)', async () => {
  // Handlers that write before their first await run inside the read's write batch: the batch must
  // not swallow megabytes while telling the handler to go on.
  const piece = Buffer.alloc(1024 * 1024, 0x62);
  let acceptedBeforeFull = -1;
  const { server, port } = await start(async (_req, res) => {
    res.setHeader('Content-Length', 32 * piece.length);
    for (let i = 0; i < 32; i++) {
      if (!res.write(piece)) {
        if (acceptedBeforeFull === -1) acceptedBeforeFull = i;
        await res.drain();
      }
    }
    res.end();
  });
  const { socket } = await openRaw(port);
  let received = 0;
  const done = new Promise<void>((resolve) => socket.on('data', (c: Buffer) => ((received += c.length) >= 32 * piece.length ? resolve() : undefined)));
  socket.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
  await done;
  assert.ok(acceptedBeforeFull >= 0 && acceptedBeforeFull < 4, `first false after ${acceptedBeforeFull} writes of 1 MiB`);
  socket.destroy();
  await server.close();
});

test('bytes still leaving to a slow reader are not cut by the keep-alive or linger timers', { timeout: 15_000 }, async () => {
  // The idle timer starts when the response is handed over; a reader that pauses longer than the
  // idle timeout plus the linger limit must still get every byte (the send timeout is the bound).
  const total = 24 * 1024 * 1024;
  const piece = Buffer.alloc(1024 * 1024, 0x63);
  const { server, port } = await start(async (_req, res) => {
    res.setHeader('Content-Length', total);
    for (let sent = 0; sent < total; sent += piece.length) if (!res.write(piece)) await res.drain();
    res.end();
  }, { keepAliveTimeout: 100 });
  const socket = connect(port, '127.0.0.1');
  let received = 0;
  let headBytes = -1;
  let ended = false;
  socket.on('data', (c: Buffer) => {
    if (headBytes === -1) headBytes = c.indexOf('\r\n\r\n') + 4;
    received += c.length;
  });
  socket.on('end', () => (ended = true));
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
  await sleep(50);
  socket.pause();
  await sleep(2600); // past 100 ms idle + 2 s linger
  socket.resume();
  await closed;
  assert.ok(ended, 'the server ended with a FIN');
  assert.equal(received - headBytes, total);
  await server.close();
});

test('a reader that takes nothing for the body timeout is cut (send timeout), and the trace says so', { timeout: 10_000 }, async () => {
  const reasons: CloseReason[] = [];
  const piece = Buffer.alloc(1024 * 1024, 0x64);
  const { server, port } = await start(async (_req, res) => {
    res.setHeader('Content-Length', 64 * piece.length);
    for (let i = 0; i < 64; i++) if (!res.write(piece)) await res.drain();
    res.end();
  }, { bodyTimeout: 300, keepAliveTimeout: 100 });
  server.observe({ close: (_c, reason) => reasons.push(reason) });
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
  socket.pause(); // never reads
  const started = Date.now();
  while (reasons.length === 0 && Date.now() - started < 5000) await sleep(50);
  assert.deepEqual(reasons, ['send-timeout']);
  assert.ok(Date.now() - started < 3000);
  socket.destroy();
  await server.close();
});

test('a closed connection is not kept alive by the server (a pooled parser lets go of it)', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let conn: WeakRef<object> | undefined;
  const { server, port } = await start(echo);
  server.observe({ open: (info) => void (conn = new WeakRef(info)) });
  // a keep-alive exchange hands the connection's parser back to the pool between requests
  const { output } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  assert.deepEqual(statusLines(output), ['HTTP/1.1 200 OK']);
  for (let i = 0; i < 50 && server.connectionCount > 0; i++) await sleep(10);
  await sleep(10);
  gc();
  assert.notEqual(conn, undefined);
  assert.equal(conn!.deref(), undefined, 'the connection was collected');
  await server.close();
});

test('a client that pipelines requests without reading the answers is not read further once they back up', { timeout: 30_000 }, async () => {
  // Otherwise every answer it will never read piles up in the server's memory (node:http pauses too).
  const kernelMax = (file: string, fallback: number): number => {
    try {
      return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
    } catch {
      return fallback;
    }
  };
  // What the kernel can hold between us and the client: our send buffer and its receive buffer.
  const bound = kernelMax('/proc/sys/net/ipv4/tcp_wmem', 4 << 20) + kernelMax('/proc/sys/net/ipv4/tcp_rmem', 6 << 20) + (2 << 20);
  const body = Buffer.alloc(8192, 0x65);
  // no request limit (a user may lift it): the default 1000 per connection would hide the problem
  const { server, port } = await start((_req, res) => res.end(body), { maxRequestsPerConnection: Infinity });
  let handedOver = 0;
  server.observe({ bytesOut: (_c, bytes) => void (handedOver += bytes.length) });
  const request = 'GET /flood HTTP/1.1\r\nHost: t\r\n\r\n';
  const count = Math.ceil((3 * bound) / body.length);
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  await once(socket, 'connect');
  const batch = Buffer.from(request.repeat(1000));
  for (let sent = 0; sent < count; sent += 1000) socket.write(sent + 1000 <= count ? batch : batch.subarray(0, (count - sent) * request.length));
  // wait until the server stops handing answers to the socket
  for (let last = -1; handedOver !== last; ) {
    last = handedOver;
    await sleep(300);
  }
  assert.ok(handedOver < bound, `${handedOver} bytes handed over for a client that reads nothing (bound ${bound})`);
  // every answer has the same length (the Date field is fixed-width): count the bytes
  const chunks: Buffer[] = [];
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    if (chunks.length < 2) chunks.push(chunk);
    received += chunk.length;
  });
  socket.resume();
  while (received < count * body.length) await sleep(20);
  const answer = Buffer.concat(chunks).indexOf('\r\n\r\n') + 4 + body.length;
  while (received < count * answer) await sleep(20);
  await sleep(50);
  assert.equal(received, count * answer, 'every request answered once, after the client starts reading');
  socket.destroy();
  await server.close();
});
