import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;

/** startEcho runs `wirehttp echo 0` and resolves with its port once it logs that it listens. */
async function startEcho(): Promise<{ child: ChildProcessWithoutNullStreams; port: number; log: () => string }> {
  const child = spawn(process.execPath, [BIN, 'echo', '0']);
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line: ${log}`)), 5000);
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, log: () => log };
}

function talk(port: number, lines: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(lines));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    setTimeout(() => s.destroy(), 3000);
  });
}

test('echo server: serves clients at once, echoes lines, `exit` closes, logs connects', async () => {
  const { child, port, log } = await startEcho();
  try {
    const [a, b] = await Promise.all([talk(port, 'one\ntwo\nexit\nnever\n'), talk(port, 'three\nexit\n')]);
    assert.equal(a, 'one\ntwo\nbye\n');
    assert.equal(b, 'three\nbye\n');
    // the log line may trail the socket's close on a loaded machine: wait for it (bounded)
    for (let i = 0; i < 200 && !/closed on 'exit'/.test(log()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(log(), /#1 connected from 127\.0\.0\.1:\d+/);
    assert.match(log(), /closed on 'exit'/);
  } finally {
    child.kill('SIGTERM');
  }
});

test('echo --connect: stdin lines out, echoed lines in, ends on EOF', async () => {
  const { child, port } = await startEcho();
  try {
    const client = spawn(process.execPath, [BIN, 'echo', '--connect', `127.0.0.1:${port}`]);
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    client.stdin.end('hello\nworld\n');
    const code = await new Promise<number | null>((r) => client.on('close', r));
    assert.equal(code, 0);
    assert.equal(out, 'hello\nworld\n');
  } finally {
    child.kill('SIGTERM');
  }
});
