// Shared parts of the behind-a-proxy suites (proxies-nginx, proxies-haproxy): our engine as the
// upstream, a real proxy started on free loopback ports, and one table of exchanges run through it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from '../../src/client/index.js';
import { createServer, type Handler, type Server } from '../../src/server/index.js';
import { createStaticHandler } from '../../src/static/index.js';

/** The proxy connects upstream from this address (the only one trusted); clients come from CLIENT_ADDRESS. */
export const PROXY_SOURCE = '127.0.0.3';
export const CLIENT_ADDRESS = '127.0.0.2';

export const DATA = Buffer.alloc(1024 * 1024);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 131 + (i >> 10)) & 0xff;
export const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** One upstream request as the backend saw it. */
export interface Seen {
  path: string;
  connectionId: number;
  sequence: number;
  remoteAddress: string;
}

export interface Backend {
  server: Server;
  port: number;
  dir: string;
  seen: Seen[];
}

/** startBackend runs our engine with trustProxy set to the proxy's source address. */
export async function startBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-proxies-'));
  writeFileSync(join(dir, 'data.bin'), DATA);
  const files = createStaticHandler({ root: dir, gzip: false });
  const seen: Seen[] = [];
  const handler: Handler = async (req, res) => {
    seen.push({ path: req.path, connectionId: req.connectionId, sequence: req.sequence, remoteAddress: req.remoteAddress });
    switch (req.path) {
      case '/hello':
        res.setHeader('Content-Type', 'text/plain').end('hello\n');
        return;
      case '/whoami':
        res.end(`${req.clientAddress} ${req.scheme} ${req.host}`);
        return;
      case '/conn':
        res.end(`${req.connectionId} ${req.sequence}`);
        return;
      case '/upload': {
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of req.body) {
          hash.update(chunk as Buffer);
          length += (chunk as Buffer).length;
        }
        res.end(`${length} ${hash.digest('hex')}`);
        return;
      }
      case '/chunked':
        res.setHeader('Content-Type', 'text/plain');
        for (let i = 0; i < 50; i++) {
          if (!res.write(`line ${i} ${'.'.repeat(i * 40)}\n`)) await res.drain();
          if (i % 10 === 0) await sleep(2);
        }
        res.end();
        return;
      case '/redirect':
        res.status(302).setHeader('Location', '/hello').end();
        return;
      case '/redirect-absolute':
        // built from what the trusted proxy says the client asked for, not from our own address
        res.status(301).setHeader('Location', `${req.scheme}://${req.host}/hello`).end();
        return;
      default:
        await files(req, res);
    }
  };
  const server = createServer(handler, { trustProxy: [PROXY_SOURCE], keepAliveTimeout: 30_000 });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, dir, seen };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** startProgram spawns a proxy and resolves once it accepts connections on `port`. */
export async function startProgram(command: string, args: string[], port: number): Promise<{ child: ChildProcess; log: () => string }> {
  let log = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}: ${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return { child, log: () => log };
    await sleep(25);
  }
  throw new Error(`${command} did not listen on ${port}: ${log}`);
}

export async function stopProgram(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** rawGet sends a request from CLIENT_ADDRESS with extra header lines and resolves with the body. */
export function rawGet(port: number, path: string, extra: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: CLIENT_ADDRESS }, () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`),
    );
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => {
      assert.match(data, /^HTTP\/1\.1 200 /, data.slice(0, 200));
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      // a proxy may answer chunked: undo the framing of this small body
      resolve(/transfer-encoding: chunked/i.test(data.slice(0, data.indexOf('\r\n\r\n'))) ? unchunk(body) : body);
    });
  });
}

function unchunk(body: string): string {
  let out = '';
  for (let i = 0; ; ) {
    const eol = body.indexOf('\r\n', i);
    const size = parseInt(body.slice(i, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

/**
 * proxySuite defines the shared exchanges for a proxy `start(backendPort, dir)` brings up in front of our
 * engine. Call it inside a describe() that carries the toolSkip.
 */
export function proxySuite(start: (backendPort: number, dir: string) => Promise<{ port: number; stop: () => Promise<void> }>): void {
  let backend: Backend;
  let proxy: { port: number; stop: () => Promise<void> };
  let base = '';
  let agent: Agent;

  before(async () => {
    backend = await startBackend();
    proxy = await start(backend.port, backend.dir);
    base = `http://127.0.0.1:${proxy.port}`;
    agent = new Agent();
  });

  after(async () => {
    agent.close();
    await proxy?.stop();
    await backend?.server.close(100);
    if (backend !== undefined) rmSync(backend.dir, { recursive: true, force: true });
  });

  test('requests: 200, 404 and HEAD pass through', async () => {
    const ok = await request(`${base}/hello`, { agent });
    assert.deepEqual([ok.status, await ok.text()], [200, 'hello\n']);
    const missing = await request(`${base}/nope`, { agent });
    assert.equal(missing.status, 404);
    await missing.bytes();
    const head = await request(`${base}/data.bin`, { agent, method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(DATA.length)]);
    await head.bytes();
  });

  test('upload: 5 MB with Content-Length and 1 MB chunked arrive intact (checksum)', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 12)) & 0xff;
    const res = await request(`${base}/upload`, { agent, method: 'POST', body: big });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), `${big.length} ${sha(big)}`);
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 16; i++) yield DATA.subarray(i * 65536, (i + 1) * 65536);
    }
    const chunked = await request(`${base}/upload`, { agent, method: 'POST', body: pieces() });
    assert.equal(await chunked.text(), `${DATA.length} ${sha(DATA)}`);
  });

  test('ranges: single, suffix and open ranges give exact bytes with 206', async () => {
    for (const [range, from, to] of [['bytes=100-199', 100, 200], ['bytes=-500', DATA.length - 500, DATA.length], ['bytes=1000000-', 1_000_000, DATA.length]] as const) {
      const res = await request(`${base}/data.bin`, { agent, headers: { Range: range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${from}-${to - 1}/${DATA.length}`);
      assert.equal(sha(await res.bytes()), sha(DATA.subarray(from, to)), range);
    }
  });

  test('chunked: a streamed response arrives whole', async () => {
    const res = await request(`${base}/chunked`, { agent });
    let want = '';
    for (let i = 0; i < 50; i++) want += `line ${i} ${'.'.repeat(i * 40)}\n`;
    assert.equal(await res.text(), want);
  });

  test('redirects: Location passes through; the absolute one names the proxy (X-Forwarded-Host/Proto believed)', async () => {
    const rel = await request(`${base}/redirect`, { agent });
    assert.deepEqual([rel.status, rel.headers.get('location')], [302, '/hello']);
    await rel.bytes();
    const abs = await request(`${base}/redirect-absolute`, { agent });
    assert.deepEqual([abs.status, abs.headers.get('location')], [301, `${base}/hello`]);
    await abs.bytes();
    const followed = await request(`${base}/redirect-absolute`, { agent, followRedirects: true });
    assert.deepEqual([followed.status, await followed.text()], [200, 'hello\n']);
  });

  test('X-Forwarded-For: the real client is seen, a spoofed hop from the client is not', async () => {
    assert.equal(await rawGet(proxy.port, '/whoami'), `${CLIENT_ADDRESS} http 127.0.0.1:${proxy.port}`);
    assert.equal(await rawGet(proxy.port, '/whoami', ['X-Forwarded-For: 6.6.6.6']), `${CLIENT_ADDRESS} http 127.0.0.1:${proxy.port}`);
    // the backend itself saw only the proxy
    assert.ok(backend.seen.filter((s) => s.path === '/whoami').every((s) => s.remoteAddress === PROXY_SOURCE));
  });

  test('upstream keep-alive: the proxy reuses its connections to us (connectionId/sequence)', async () => {
    const before = backend.seen.length;
    for (let i = 0; i < 20; i++) await (await request(`${base}/conn`, { agent })).text();
    const mine = backend.seen.slice(before);
    const connections = new Set(mine.map((s) => s.connectionId));
    const maxSequence = Math.max(...mine.map((s) => s.sequence));
    assert.equal(mine.length, 20);
    assert.ok(connections.size <= 2, `20 requests used ${connections.size} upstream connections`);
    assert.ok(maxSequence >= 10, `highest sequence on one upstream connection: ${maxSequence}`);
  });
}
