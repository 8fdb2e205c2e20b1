// Sessions on a real redis-server (started here on a free loopback port): two App instances share a
// login through RedisStore, keys carry the prefix and a TTL, logout on one is seen by the other.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as netServer } from 'node:net';
import { test } from 'node:test';
import { App, createSessions, createStoreFromUrl, redirect, type SessionStore } from '../../src/index.js';
import { createRedisStore } from '../../src/app/session/index.js';
import { serve } from '../../src/app/harness.test-util.js';
import { toolSkip } from '../support/tools.js';

async function freePort(): Promise<number> {
  const s = netServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  s.close();
  await once(s, 'close');
  return port;
}

/** startRedis runs a throwaway redis-server (no persistence) and resolves once it accepts connections. */
async function startRedis(): Promise<{ url: string; port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 5000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, port, proc };
}

function loginApp(store: SessionStore, name: string): App {
  const app = new App({ session: createSessions({ secret: ['shared-secret'], store }) });
  app.post('/login', async (req) => {
    await req.session.regenerate();
    req.session.set('user', 'ann');
    return redirect('/me', 303);
  });
  app.get('/me', (req) => ({ served: name, user: req.session.get('user') ?? null }));
  app.post('/logout', async (req) => {
    await req.session.destroy();
    return 'bye';
  });
  return app;
}

test('redis sessions: two app instances share a login', { skip: toolSkip('redis-server', 'apt-get install -y redis-server'), timeout: 20_000 }, async () => {
  const redis = await startRedis();
  const storeA = await createStoreFromUrl(redis.url);
  const storeB = await createRedisStore(redis.url, { prefix: 'wirehttp:sess:' });
  const a = await serve(loginApp(storeA, 'a'));
  const b = await serve(loginApp(storeB, 'b'));
  try {
    const login = await a.fetch('/login', { method: 'POST' });
    assert.equal(login.status, 303);
    const cookie = login.header('set-cookie')!.split(';')[0]!;
    const id = decodeURIComponent(cookie.slice('session='.length)).split('.')[0]!;

    assert.deepEqual(JSON.parse((await b.fetch('/me', { headers: { Cookie: cookie } })).body), { served: 'b', user: 'ann' });

    const raw = await storeB.get(id);
    assert.deepEqual(raw, { user: 'ann' });
    const probe = await redisCommand(redis.port, ['TTL', `wirehttp:sess:${id}`]);
    assert.ok(Number(probe) > 86_000 && Number(probe) <= 86_400, `TTL ${probe}`);

    assert.equal((await b.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } })).status, 200);
    assert.deepEqual(JSON.parse((await a.fetch('/me', { headers: { Cookie: cookie } })).body), { served: 'a', user: null });
    assert.equal(await redisCommand(redis.port, ['EXISTS', `wirehttp:sess:${id}`]), '0');
  } finally {
    await a.close();
    await b.close();
    await storeA.close?.();
    await storeB.close?.();
    redis.proc.kill();
    await once(redis.proc, 'exit');
  }
  // the first connection must succeed: a dead Redis is an error at startup, not a hang
  await assert.rejects(createRedisStore(redis.url, { connectTimeoutMs: 1000 }), { name: 'SessionStoreError', code: 'ECONNECT' });
  await assert.rejects(createStoreFromUrl('mysql://user:pw@x'), (e: Error & { code?: string }) => e.code === 'EBADURL' && !e.message.includes('pw'));
});

/** redisCommand sends one RESP command on a fresh socket and returns the reply's first line, prefix stripped. */
async function redisCommand(port: number, args: string[]): Promise<string> {
  const { connect } = await import('node:net');
  const socket = connect(port, '127.0.0.1');
  socket.end(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  let reply = '';
  for await (const chunk of socket) reply += String(chunk);
  return reply.split('\r\n')[0]!.slice(1);
}
