import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rawExchange } from '../support/raw.js';
import { createServer } from '../../src/index.js';

const BIN = fileURLToPath(new URL('../../../bin/wirehttp.js', import.meta.url));

test('wirehttp proxy forwards byte for byte and prints each exchange', async () => {
  // A fixed Date makes the upstream's answers identical, so direct and proxied bytes can be compared.
  const upstream = createServer(async (req, res) => {
    res.setHeader('Date', 'Tue, 24 Nov 2026 00:00:00 GMT');
    if (req.path === '/chunks') {
      res.write('ab');
      res.end('cd');
      return;
    }
    res.end(`you asked for ${req.target} with ${req.hasBody ? (await req.text()).length : 0} body bytes`);
  });
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '0', '--to', `http://127.0.0.1:${upstreamPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const proxyPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 5000);
    child.stdout.on('data', () => {
      const m = /proxy on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const input = 'GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyzGET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const direct = await rawExchange(upstreamPort, input, { keepOpen: true });
  const proxied = await rawExchange(proxyPort, input, { keepOpen: true });
  assert.equal(proxied.output, direct.output);
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  const lines = out.split('\n').filter((l) => l.startsWith('#'));
  // Pipelined: all three requests went out before the first response came back.
  assert.deepEqual(lines.map((l) => l.replace(/127\.0\.0\.1:\d+/g, 'ADDR')), [
    '#1 open ADDR -> ADDR',
    '#1 > GET /a?b=1 HTTP/1.1',
    '#1 > POST /p HTTP/1.1',
    '#1 >   body 3 bytes',
    '#1 > GET /chunks HTTP/1.1',
    '#1 < HTTP/1.1 200 OK (Content-Length 38)',
    '#1 <   body 38 bytes',
    '#1 < HTTP/1.1 200 OK (Content-Length 34)',
    '#1 <   body 34 bytes',
    '#1 < HTTP/1.1 200 OK (chunked)',
    '#1 <   body 4 bytes',
    '#1 closed by server',
  ]);
  await upstream.close(100);
});

test('wirehttp proxy without --to is a one-line usage error', async () => {
  const child = spawn(process.execPath, [BIN, 'proxy'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 2);
  assert.equal(err.trim().split('\n').length, 1);
  assert.match(err, /--to URL is required/);
});

test('wirehttp proxy adds Via and X-Forwarded-For only when asked', async () => {
  const upstream = createServer((req, res) => res.end(req.headers.raw.join('|')));
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  for (const flags of [[], ['--via', '--x-forwarded-for']]) {
    const child = spawn(process.execPath, [BIN, 'proxy', '-q', '--listen', '0', '--to', `http://127.0.0.1:${upstreamPort}`, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const proxyPort = await new Promise<number>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /:(\d+)\/ ->/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
    });
    const { output } = await rawExchange(proxyPort, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const body = output.slice(output.indexOf('\r\n\r\n') + 4);
    assert.equal(body, flags.length === 0 ? 'Host|x|Connection|close' : 'Host|x|Connection|close|Via|1.1 wirehttp|X-Forwarded-For|127.0.0.1');
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
  await upstream.close(100);
});

test('wirehttp proxy lab switches: --drop-after cuts the response, --throttle paces it, both show in the log', async () => {
  const upstream = createServer((_req, res) => res.end('z'.repeat(300)));
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  const cases = [
    { flags: ['--drop-after', '50'], check: (output: string, ms: number, log: string) => {
      assert.equal(Buffer.byteLength(output, 'latin1'), 50);
      assert.match(log, /#1 < message cut short by the close/);
      assert.match(log, /#1 closed by proxy/);
      void ms;
    } },
    { flags: ['--throttle', '1000'], check: (output: string, ms: number, log: string) => {
      assert.match(output, /z{300}$/);
      assert.ok(ms >= 250, `took ${ms} ms`);
      assert.match(log, /lab switches: throttle 1000 B\/s/);
    } },
  ];
  for (const c of cases) {
    const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '0', '--to', `http://127.0.0.1:${upstreamPort}`, ...c.flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const proxyPort = await new Promise<number>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const m = /:(\d+)\/ ->/.exec(log);
        if (m !== null) resolve(Number(m[1]));
      });
    });
    const started = Date.now();
    const { output } = await rawExchange(proxyPort, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { keepOpen: true });
    const ms = Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    c.check(output, ms, log);
  }
  await upstream.close(100);
});
