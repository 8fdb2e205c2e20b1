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

/** startProxy runs `wirehttp proxy` on a free port in front of `upstreamPort`; `log()` is its stdout so far. */
async function startProxy(upstreamPort: number, flags: string[]): Promise<{ port: number; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '0', '--to', `http://127.0.0.1:${upstreamPort}`, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((r) => child.once('exit', r));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no banner: ${out}`));
    }, 5000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /:(\d+)\/ ->/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return {
    port,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((r) => setTimeout(r, 100));
        child.kill('SIGINT');
      }
      await exited;
    },
  };
}

/** dechunk reads a chunked body (no trailers) and returns its data and its size lines. */
function dechunk(body: string): { data: string; sizes: string[] } {
  let data = '';
  const sizes: string[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    assert.ok(eol > at, `a chunk size line at ${at}`);
    const line = body.slice(at, eol);
    sizes.push(line);
    const size = Number.parseInt(line, 16);
    if (size === 0) {
      assert.equal(body.slice(eol), '\r\n\r\n', 'last chunk, no trailers, nothing after');
      return { data, sizes };
    }
    data += body.slice(eol + 2, eol + 2 + size);
    assert.equal(body.slice(eol + 2 + size, eol + 4 + size), '\r\n');
    at = eol + 4 + size;
  }
}

test('wirehttp proxy --chunked: a Content-Length answer reaches a 1.1 client chunked (trace shows the size lines); a 1.0 client gets it as sent', async () => {
  const upstream = createServer((_req, res) => {
    res.setHeader('Date', 'Tue, 24 Nov 2026 00:00:00 GMT');
    res.end('z'.repeat(300));
  });
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  const proxy = await startProxy(upstreamPort, ['--chunked', '--trace']);
  try {
    const { output } = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { keepOpen: true });
    const head = output.slice(0, output.indexOf('\r\n\r\n') + 4);
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.doesNotMatch(head, /Content-Length/i);
    const { data, sizes } = dechunk(output.slice(head.length));
    assert.equal(data, 'z'.repeat(300));
    const old = 'GET / HTTP/1.0\r\n\r\n';
    const direct = await rawExchange(upstreamPort, old, { keepOpen: true });
    const proxied = await rawExchange(proxy.port, old, { keepOpen: true });
    assert.equal(proxied.output, direct.output, 'HTTP/1.0 clients cannot read chunked: unchanged');
    assert.match(proxied.output, /\r\nContent-Length: 300\r\n/);
    await proxy.stop();
    const log = proxy.log();
    assert.match(log, /lab switches: chunked bodies/);
    // The trace is what the client received: the chunked head and every chunk size line.
    assert.match(log, /Transfer-Encoding: chunked\\r\\n/);
    for (const size of sizes.slice(0, -1)) assert.match(log, new RegExp(`←\\s+${size}\\\\r\\\\n \\(${Number.parseInt(size, 16)} bytes\\)`));
    assert.match(log, /←\s+0\\r\\n \(last chunk\)/);
  } finally {
    await proxy.stop();
    await upstream.close(100);
  }
});

test('wirehttp proxy --http1.0: a chunked answer reaches the client as a 1.0 close-delimited one; keep-alive only when asked and the length is known', async () => {
  const upstream = createServer((req, res) => {
    res.setHeader('Date', 'Tue, 24 Nov 2026 00:00:00 GMT');
    if (req.path === '/chunks') {
      res.write('ab');
      res.end('cd');
      return;
    }
    res.end('fixed');
  });
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  const proxy = await startProxy(upstreamPort, ['--http1.0']);
  let traced: Awaited<ReturnType<typeof startProxy>> | undefined;
  try {
    const streamed = await rawExchange(proxy.port, 'GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n', { keepOpen: true });
    assert.equal(streamed.timedOut, false, 'the proxy closed after the answer, as a 1.0 server does');
    assert.equal(streamed.output, 'HTTP/1.0 200 OK\r\nDate: Tue, 24 Nov 2026 00:00:00 GMT\r\nServer: wirehttp\r\nConnection: close\r\n\r\nabcd');
    const kept = await rawExchange(proxy.port, 'GET /fixed HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /fixed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { keepOpen: true, timeoutMs: 600 });
    assert.equal(kept.timedOut, true, 'kept open when asked and the length is known');
    const answer = 'HTTP/1.0 200 OK\r\nDate: Tue, 24 Nov 2026 00:00:00 GMT\r\nServer: wirehttp\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nfixed';
    assert.equal(kept.output, answer + answer);
    await proxy.stop();
    const lines = proxy.log().split('\n').filter((l) => l.startsWith('#1 ') || l.startsWith('lab'));
    assert.deepEqual(lines, [
      'lab switches: HTTP/1.0 answers',
      lines[1], // #1 open …
      '#1 > GET /chunks HTTP/1.1',
      '#1 < HTTP/1.0 200 OK (close)',
      '#1 <   body 4 bytes',
      '#1 closed by proxy',
    ]);
    traced = await startProxy(upstreamPort, ['--http1.0', '--trace']);
    const again = await rawExchange(traced.port, 'GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n', { keepOpen: true });
    assert.match(again.output, /^HTTP\/1\.0 200 OK\r\n[^]*\r\n\r\nabcd$/);
    await traced.stop();
    assert.match(traced.log(), /#1\.1 ← body 4 bytes delimited by the connection close/);
    assert.match(traced.log(), /#1 closed by the proxy: end of an HTTP\/1\.0 answer without keep-alive \(lab switch\)/);
  } finally {
    await traced?.stop();
    await proxy.stop();
    await upstream.close(100);
  }
});
