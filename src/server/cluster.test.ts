import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer as createNetServer } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./cluster-fixture.test-util.js', import.meta.url));

interface Running {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

/** start runs the fixture's primary and resolves once its workers listen. */
async function start(env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ready (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, port, stderr: () => err };
}

/** get sends one request on a fresh connection; resolves with status code and body ('' status on failure). */
function get(port: number, path = '/'): Promise<{ status: string; body: string }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      const split = data.indexOf('\r\n\r\n');
      resolve({ status: data.slice(9, 12), body: split === -1 ? '' : data.slice(split + 4) });
    });
  });
}

async function pids(port: number, n = 8): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add((await get(port)).body);
  return seen;
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(20)) if (Date.now() > end) throw new Error('timed out');
}

test('cluster: workers share one port, a crashed worker is replaced, SIGHUP replaces all, SIGTERM ends cleanly', async () => {
  const { child, port, stderr } = await start({ WORKERS: '2' });
  try {
    const first = await pids(port);
    assert.equal(first.size, 2, `round-robin over two workers, saw ${[...first]}`);

    assert.equal((await get(port, '/crash')).status, '');
    await waitFor(() => /restarting in \d+ ms/.test(stderr()));
    let afterCrash = new Set<string>();
    for (let i = 0; i < 50 && (afterCrash.size < 2 || [...afterCrash].every((p) => first.has(p))); i++) {
      await sleep(20);
      afterCrash = await pids(port, 4);
    }
    assert.equal(afterCrash.size, 2);
    assert.ok([...afterCrash].some((p) => !first.has(p)), 'a new worker took the crashed one\'s place');

    // a request in flight on an old worker survives the reload
    const slow = get(port, '/slow');
    await sleep(50);
    child.kill('SIGHUP');
    await waitFor(() => stderr().includes('reload done'));
    assert.equal((await slow).status, '200');
    const reloaded = await pids(port);
    assert.equal(reloaded.size, 2);
    for (const pid of reloaded) assert.ok(!afterCrash.has(pid), 'every worker was replaced');

    const inFlight = get(port, '/slow');
    await sleep(50);
    child.kill('SIGTERM');
    assert.equal((await inFlight).status, '200');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('cluster: a start failure before any worker listens ends the primary with the message, once', async () => {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, WORKERS: '2', START_FAIL: 'port 1 is in use' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 1);
  assert.equal(err.trim(), 'error: port 1 is in use');
});

test('cluster: a port already taken is reported, not retried forever', async () => {
  const blocker = createNetServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, WORKERS: '2', PORT: String(taken) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(err, /EADDRINUSE/);
  } finally {
    blocker.close();
  }
});
