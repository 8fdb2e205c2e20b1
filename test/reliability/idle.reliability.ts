import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { figure } from './support.js';

const SERVER = fileURLToPath(new URL('./idle-server.js', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./idle-clients.js', import.meta.url));
const COUNT = 10_000;
const FDS = 12_000;

/** hardLimit is the most descriptors a child may ask for with `ulimit -n`. */
function hardLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Infinity : Number(out);
}

/** start runs `script args` under `ulimit -n FDS` (each side holds 10,000 sockets) and waits for `pattern`. */
async function start(script: string, args: string[], pattern: RegExp, ipc: boolean): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn('sh', ['-c', `ulimit -n ${FDS} && exec "${process.execPath}" --expose-gc "${script}" ${args.join(' ')}`], {
    stdio: ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m !== null) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
  return { child, match };
}

function rss(server: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    server.once('message', (m: { rss: number }) => resolve(m.rss));
    server.send('rss');
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** perConnection opens COUNT idle keep-alive connections to a server of `kind` and returns its RSS growth per connection. */
async function perConnection(kind: 'ours' | 'node'): Promise<number> {
  const { child: server, match } = await start(SERVER, [kind], /listening (\d+)/, true);
  try {
    await sleep(200);
    await rss(server);
    const before = await rss(server);
    const { child: clients, match: opened } = await start(CLIENTS, [match[1]!, String(COUNT)], /(open \d+|error \S+)/, false);
    try {
      assert.equal(opened[1], `open ${COUNT}`);
      await sleep(1000);
      await rss(server);
      const after = await rss(server);
      return (after - before) / COUNT;
    } finally {
      await stop(clients);
    }
  } finally {
    await stop(server);
  }
}

const limit = hardLimit();
const skip = limit < FDS ? `SKIPPED: the descriptor limit cannot be raised to ${FDS} (hard limit ${limit}); run as a user allowed ${FDS} open files` : false;
if (skip !== false) process.stderr.write(`\n*** ${skip} ***\n`);

test('10,000 idle keep-alive connections: RSS per connection, ours no worse than node:http', { skip }, async () => {
  const ours = await perConnection('ours');
  const node = await perConnection('node');
  figure(
    '10,000 idle keep-alive connections (server alone; clients in another process)',
    `ours ${(ours / 1024).toFixed(2)} KiB per connection, node:http ${(node / 1024).toFixed(2)} KiB (${(ours / node).toFixed(2)}x)`,
  );
  assert.ok(ours <= node, `ours ${ours} B > node:http ${node} B per connection`);
});
