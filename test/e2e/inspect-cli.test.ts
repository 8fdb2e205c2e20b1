import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { harProblems } from '../../src/inspect/har-schema.test-util.js';
import { rawExchange } from '../support/raw.js';

const BIN = fileURLToPath(new URL('../../../bin/wirehttp.js', import.meta.url));
const ANSI = /\x1b\[/;

function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out: () => out, err: () => err, exit };
}

async function waitFor(read: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 100; i++) {
    const m = pattern.exec(read());
    if (m !== null) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${pattern}: ${read()}`);
}

test('serve --trace=hex --har: plain trace on stdout when piped (heads, hexdump with 0d 0a, reuse, who closed) and a valid HAR on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-trace-'));
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  const har = join(dir, 'out.har');
  const serve = cli(['serve', '0', '-d', dir, '--trace=hex', '--har', har], { FORCE_COLOR: '1' });
  try {
    const port = Number((await waitFor(serve.out, /127\.0\.0\.1:(\d+)\//))[1]);
    const get = 'GET /a.txt?q=1 HTTP/1.1\r\nHost: lab\r\n\r\n';
    const reply = await rawExchange(port, [get, 'GET /a.txt HTTP/1.1\r\nhost: lab\r\nConnection: close\r\n\r\n'], { gapMs: 50 });
    assert.match(reply.output, /hello\n$/);
    await waitFor(serve.out, /closed by the server/);
    serve.child.kill('SIGTERM');
    assert.equal(await serve.exit, 0);
    const out = serve.out();
    assert.doesNotMatch(out, ANSI);
    assert.match(out, /#1 open 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
    assert.match(out, /→ 0000 {2}47 45 54 20 2f 61 2e 74 {2}78 74 3f 71 3d 31 20 48 {3}GET \/a\.txt\?q=1 H/);
    assert.ok(out.includes('  → 0010  54 54 50 2f 31 2e 31 0d  0a 48 6f 73 74 3a 20 6c   TTP/1.1..Host: l\n'));
    assert.match(out, / {2}→ host: lab\\r\\n/, 'heads keep the case sent');
    assert.match(out, /#1\.2 → request head, \d+ bytes at offset 38 \(connection reused: exchange 2\)/);
    assert.match(out, /← body 6 bytes \(Content-Length: 6\)/);
    assert.match(out, /#1\.1 timings: send [\d.]+ ms, wait [\d.]+ ms, receive [\d.]+ ms, total [\d.]+ ms; keep-alive/);
    assert.match(out, /#1 closed by the server: server close after Connection: close, 2 exchanges/);
    const doc = JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: Array<{ request: { url: string; queryString: unknown } }> } };
    assert.deepEqual(harProblems(doc), []);
    assert.deepEqual(doc.log.entries.map((e) => e.request.url), ['http://lab/a.txt?q=1', 'http://lab/a.txt']);
    assert.deepEqual(doc.log.entries[0]!.request.queryString, [{ name: 'q', value: '1' }]);
  } finally {
    serve.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('request --trace: the trace goes to stderr, stdout keeps only the body; --har is written at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-trace-'));
  writeFileSync(join(dir, 'b.txt'), 'body!');
  const serve = cli(['serve', '0', '-d', dir]);
  try {
    const port = Number((await waitFor(serve.out, /127\.0\.0\.1:(\d+)\//))[1]);
    const har = join(dir, 'r.har');
    const req = cli(['request', '--trace', '--har', har, `http://127.0.0.1:${port}/b.txt`, `http://127.0.0.1:${port}/b.txt`]);
    assert.equal(await req.exit, 0);
    assert.equal(req.out(), 'body!body!');
    assert.match(req.err(), /#\d+\.1 → request head/);
    assert.match(req.err(), /#\d+\.2 → request head, \d+ bytes at offset \d+ \(connection reused: exchange 2\)/);
    assert.match(req.err(), /← HTTP\/1\.1 200 OK\\r\\n/);
    assert.match(req.err(), /closed by the client/);
    const doc = JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: unknown[] } };
    assert.deepEqual(harProblems(doc), []);
    assert.equal(doc.log.entries.length, 2);
  } finally {
    serve.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve --pcap: the file grows with the traffic, and what it holds survives the process being killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-pcap-kill-'));
  writeFileSync(join(dir, 'k.txt'), 'kept after a crash');
  const pcap = join(dir, 'k.pcap');
  const serve = cli(['serve', '0', '-d', dir, '--pcap', pcap]);
  try {
    const port = Number((await waitFor(serve.out, /127\.0\.0\.1:(\d+)\//))[1]);
    const reply = await rawExchange(port, 'GET /k.txt HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    assert.match(reply.output, /kept after a crash$/);
    // Written at the end of the event loop turn that captured it, while the server keeps running.
    for (let i = 0; i < 40 && !readFileSync(pcap).includes('kept after a crash'); i++) await new Promise((r) => setTimeout(r, 25));
    serve.child.kill('SIGKILL');
    await serve.exit;
    const file = readFileSync(pcap);
    assert.equal(file.readUInt32LE(0), 0xa1b2c3d4);
    assert.ok(file.includes('GET /k.txt HTTP/1.1\r\n'), 'the request is in the file');
    assert.ok(file.includes('kept after a crash'), 'the response is in the file');
  } finally {
    serve.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo --trace --har: the demo site traced on stdout, HAR written on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-demo-trace-'));
  const har = join(dir, 'demo.har');
  const demo = cli(['demo', '0', '--trace', '--har', har]);
  try {
    const port = Number((await waitFor(demo.out, /wirehttp demo on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const reply = await rawExchange(port, 'GET /lab/get?test=hi HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    assert.match(reply.output, /^HTTP\/1\.1 200 OK\r\n/);
    await waitFor(demo.out, /closed by the server/);
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exit, 0);
    assert.match(demo.out(), /#1\.1 → request head, \d+ bytes at offset 0\n {2}→ GET \/lab\/get\?test=hi HTTP\/1\.1\\r\\n/);
    assert.match(demo.out(), /#1 closed by the server: server close after Connection: close, 1 exchange/);
    const doc = JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    assert.deepEqual(harProblems(doc), []);
    assert.deepEqual(doc.log.entries.map((e) => e.request.url), ['http://lab/lab/get?test=hi']);
  } finally {
    demo.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspector flags: documented in each --help; a bad value is one line and exit 2', async () => {
  for (const command of ['serve', 'request', 'proxy', 'demo']) {
    const help = cli([command, '--help']);
    assert.equal(await help.exit, 0);
    for (const flag of ['--trace', '--trace=hex', '--har FILE', '--pcap FILE', '--keylog FILE']) assert.ok(help.out().includes(flag), `${command} --help lacks ${flag}`);
  }
  const bad = cli(['serve', '0', '--trace=loud']);
  assert.equal(await bad.exit, 2);
  assert.equal(bad.err().trim().split('\n').length, 1);
  assert.match(bad.err(), /--trace takes no value or =hex/);
  const missing = cli(['proxy', '--to', 'http://127.0.0.1:1', '--pcap']);
  assert.equal(await missing.exit, 2);
  assert.match(missing.err(), /--pcap needs a file name/);
});
