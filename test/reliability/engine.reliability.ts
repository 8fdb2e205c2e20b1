import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Handler } from '../../src/index.js';
import { figure, openFds, rssBytes } from './support.js';

const hello: Handler = (_req, res) => res.end('ok');

/** get sends one GET on a fresh connection and resolves with the status line and the time it took. */
function get(port: number, path = '/'): Promise<{ status: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('close', () => resolve({ status: data.split('\r\n')[0] ?? '', ms: performance.now() - started }));
    s.on('error', reject);
  });
}

test('slowloris: 1,000 dribbling connections do not stop a normal client, and are cut at the header timeout', async () => {
  const server = createServer(hello, { headersTimeout: 1500 });
  const { port } = await server.listen(0, '127.0.0.1');
  const slow: Socket[] = [];
  let cut = 0;
  for (let i = 0; i < 1000; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', () => cut++);
    s.resume(); // read what the server says (its 408), as a real client would
    s.write('GET / HTTP/1.1\r\n');
    slow.push(s);
  }
  let worst = 0;
  const drip = setInterval(() => {
    for (const s of slow) if (!s.destroyed) s.write('X-Drip: 1\r\n');
  }, 200);
  for (let i = 0; i < 10; i++) {
    const r = await get(port);
    assert.equal(r.status, 'HTTP/1.1 200 OK');
    worst = Math.max(worst, r.ms);
    await sleep(100);
  }
  await sleep(1500);
  clearInterval(drip);
  figure('slowloris worst normal-client latency (1,000 slow connections)', `${worst.toFixed(1)} ms`);
  figure('slowloris connections cut at the 1.5 s header timeout', `${cut} of 1000`);
  assert.ok(worst < 1000, `a normal client waited ${worst} ms`);
  assert.equal(cut, 1000);
  for (const s of slow) s.destroy();
  await server.close(100);
});

test('clients vanishing mid-request and mid-response leak no descriptors and the server keeps serving', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 0x61);
  const handler: Handler = async (req, res) => {
    if (req.path === '/big') {
      res.setHeader('Content-Length', big.length);
      await res.send([big]).catch(() => {});
    } else if (req.path === '/upload') {
      await req.bytes().catch(() => {});
      if (!res.finished) res.end('got it');
    } else {
      res.end('ok');
    }
  };
  const server = createServer(handler, { headersTimeout: 500, bodyTimeout: 500 });
  const { port } = await server.listen(0, '127.0.0.1');
  await get(port);
  const baseline = openFds();
  const rounds = 200;
  for (let i = 0; i < rounds; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    if (i % 4 === 3) s.resume(); // this one reads its answer to the end
    switch (i % 4) {
      case 0: // mid-head
        s.write('GET / HTTP/1.1\r\nHost: r\r\nX-Partial');
        break;
      case 1: // mid-upload
        s.write('POST /upload HTTP/1.1\r\nHost: r\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(5000));
        break;
      case 2: // mid-response of a large body
        s.write('GET /big HTTP/1.1\r\nHost: r\r\n\r\n');
        await new Promise((r) => s.once('data', r));
        break;
      case 3: // half-close after a complete request
        s.end('GET / HTTP/1.1\r\nHost: r\r\n\r\n');
        break;
    }
    if (i % 4 === 3) await new Promise((r) => s.once('close', r));
    else s.resetAndDestroy();
  }
  for (let i = 0; i < 50 && server.connectionCount > 0; i++) await sleep(100);
  const after = openFds();
  figure('vanishing clients: descriptors before/after 200 abrupt clients', `${baseline} / ${after}`);
  assert.equal(server.connectionCount, 0);
  assert.ok(after <= baseline + 2, `fds ${baseline} -> ${after}`);
  assert.equal((await get(port)).status, 'HTTP/1.1 200 OK');
  await server.close(100);
});

test('graceful shutdown under steady load fails no request', async () => {
  const server = createServer(async (_req, res) => {
    await sleep(5);
    res.end('ok');
  });
  const { port } = await server.listen(0, '127.0.0.1');
  let ok = 0;
  let failed = 0;
  let stop = false;
  const client = async (): Promise<void> => {
    while (!stop) {
      try {
        const r = await get(port);
        if (r.status === 'HTTP/1.1 200 OK') ok++;
        else if (r.status !== '') failed++;
        else break; // refused after close: the listener is gone, which is not a failed request
      } catch {
        break;
      }
    }
  };
  const clients = Array.from({ length: 20 }, client);
  await sleep(500);
  await server.close();
  stop = true;
  await Promise.all(clients);
  figure('graceful shutdown under load: requests answered / failed', `${ok} / ${failed}`);
  assert.equal(failed, 0);
  assert.ok(ok > 50);
});

test('a 256 MiB upload read by a handler keeps memory within a few MiB', async () => {
  let received = 0;
  const server = createServer(async (req, res) => {
    for await (const chunk of req.body) received += (chunk as Buffer).length;
    res.end(String(received));
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const total = 256 * 1024 * 1024;
  global.gc?.();
  const before = rssBytes();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 20);
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(`POST /up HTTP/1.1\r\nHost: r\r\nContent-Length: ${total}\r\n\r\n`);
  const piece = Buffer.alloc(1024 * 1024, 0x62);
  for (let sent = 0; sent < total; sent += piece.length) {
    if (!s.write(piece)) await new Promise((r) => s.once('drain', r));
  }
  const reply = await new Promise<string>((resolve) => {
    let data = '';
    s.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.endsWith(String(total))) resolve(data);
    });
  });
  clearInterval(sampler);
  s.destroy();
  const growth = (peak - before) / (1024 * 1024);
  figure('256 MiB upload: peak RSS growth (client and server in one process)', `${growth.toFixed(1)} MiB`);
  assert.match(reply, /^HTTP\/1\.1 200 OK/);
  assert.equal(received, total);
  assert.ok(growth < 64, `RSS grew ${growth} MiB`);
  await server.close(100);
});

test('clients that pipeline requests and never read the answers do not pile them up in memory', async () => {
  // No request limit: the default 1000 per connection would bound it by itself.
  const body = Buffer.alloc(1024, 0x66);
  const server = createServer((_req, res) => res.end(body), { maxRequestsPerConnection: Infinity });
  const { port } = await server.listen(0, '127.0.0.1');
  const held = (): number => {
    global.gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = held();
  const batch = Buffer.from('GET /flood HTTP/1.1\r\nHost: r\r\n\r\n'.repeat(2000));
  let sent = 0;
  const until = Date.now() + 3000;
  const clients = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const s = connect(port, '127.0.0.1');
      s.pause(); // never reads
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      const pump = (): void => {
        while (Date.now() < until && s.write(batch)) sent += batch.length;
        if (Date.now() < until) s.once('drain', pump);
      };
      pump();
      return s;
    }),
  );
  await sleep(3200);
  const growth = (held() - before) / (1024 * 1024);
  const requests = Math.round(sent / (batch.length / 2000));
  for (const s of clients) s.destroy();
  figure('4 clients pipelining for 3 s without reading: requests sent before TCP held them back / memory held by the server', `${requests} / ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB`);
  assert.ok(growth < 32, `held ${growth} MiB more`);
  const after = await get(port);
  assert.equal(after.status, 'HTTP/1.1 200 OK');
  await server.close(100);
});
