import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { request } from '../../src/client/index.js';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; chunks: () => string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let text = '';
  const chunks: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    chunks.push(d.toString());
  });
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text, chunks: () => chunks, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function urlOf(output: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /wirehttp demo on (https?:\S+)/.exec(output());
    if (m !== null) return m[1]!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`demo did not start: ${output()}`);
}

test('wirehttp demo serves the index and the lab; SIGTERM stops it with 0', async () => {
  const demo = run(['0']);
  const url = await urlOf(demo.output);
  const index = await request(url);
  assert.equal(index.status, 200);
  assert.match(await index.text(), /<a href="\/lab\/">/);
  const lab = await request(new URL('/lab/get?test=%3Cb%3Ehi%3C%2Fb%3E', url));
  assert.equal(lab.status, 200);
  const body = await lab.text();
  assert.match(body, /&lt;b&gt;hi&lt;\/b&gt;/);
  assert.doesNotMatch(body, /<b>hi<\/b>/);
  demo.child.kill('SIGTERM');
  assert.equal(await demo.exit, 0);
});

test('wirehttp demo --tls: HTTPS with the cached self-signed certificate; the session cookie carries Secure', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'wirehttp-cache-'));
  try {
    const demo = run(['0', '--tls'], { XDG_CACHE_HOME: cache });
    const url = await urlOf(demo.output);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    // the banner is one write: whoever has read the URL line has read the TLS line too (CI once saw them apart)
    assert.match(demo.output(), /^TLS: self-signed certificate for localhost, 127\.0\.0\.1, ::1/m);
    assert.ok(demo.chunks().some((c) => c.includes('wirehttp demo on https://') && c.includes('TLS: self-signed certificate')), demo.chunks().join('|'));
    const ca = readFileSync(join(cache, 'wirehttp', 'localhost-cert.pem'));
    const login = await request(new URL('/login/', url), { tls: { ca } });
    assert.equal(login.status, 200);
    assert.match(login.headers.get('set-cookie') ?? '', /^session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    await login.text();
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exit, 0);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('wirehttp demo: a port in use or a bad port is one line and a non-zero exit', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  const inUse = run([String(port)]);
  assert.equal(await inUse.exit, 1);
  assert.equal(inUse.output(), `wirehttp: demo: port ${port} on 127.0.0.1 is already in use (try another port, or 0 for a free one)\n`);
  busy.close();
  const bad = run(['http']);
  assert.equal(await bad.exit, 2);
  assert.equal(bad.output(), "wirehttp: demo: invalid port 'http'\n");
});

test('wirehttp demo: a bad or unreachable SESSION_STORE is one line and exit 1, never a stack trace', async () => {
  const bad = run(['0'], { SESSION_STORE: 'mongodb://127.0.0.1/x' });
  assert.equal(await bad.exit, 1);
  assert.equal(bad.output(), "wirehttp: demo: session store: expected 'memory' or redis://host:port, got 'mongodb://127.0.0.1/x'\n");
  // a port nothing listens on: connection refused at once
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const unreachable = run(['0'], { SESSION_STORE: `redis://127.0.0.1:${port}` });
  assert.equal(await unreachable.exit, 1);
  assert.match(unreachable.output(), new RegExp(`^wirehttp: demo: session store: cannot connect to redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\n$`));
});
