import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { figure } from './support.js';

const CHILD = fileURLToPath(new URL('./fd-limit-server.js', import.meta.url));

function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n'));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    s.on('error', () => resolve(''));
    s.setTimeout(2000, () => s.destroy());
  });
}

test('running out of file descriptors: the server survives and serves again once descriptors free up', async () => {
  const child = spawn('sh', ['-c', `ulimit -n 64; exec "${process.execPath}" "${CHILD}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
  const held: Socket[] = [];
  for (let i = 0; i < 100; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    held.push(s);
  }
  await sleep(500);
  const accepted = held.filter((s) => !s.destroyed).length;
  const during = await get(port);
  for (const s of held) s.destroy();
  await sleep(500);
  const after = await get(port);
  const alive = child.exitCode === null;
  child.kill('SIGTERM');
  const acceptErrors = (stderr.match(/server error: EMFILE/g) ?? []).length;
  const refused = held.length - accepted;
  figure(
    'fd exhaustion (ulimit -n 64, 100 held connections)',
    `${accepted} accepted, ${refused} shed by libuv's EMFILE guard, ${acceptErrors} accept errors reported, a request meanwhile: ${during || 'no answer'}, after: ${after}`,
  );
  // libuv closes connections it cannot accept (its reserved-descriptor trick) and reports nothing to
  // JavaScript; what matters is that the server stays up and serves again once descriptors free up.
  assert.ok(alive, `server died: ${stderr}`);
  assert.equal(after, 'HTTP/1.1 200 OK');
});
