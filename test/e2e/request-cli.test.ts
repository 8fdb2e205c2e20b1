import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generate } from 'selfsigned';
import { hasCommand } from '../support/tools.js';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wirehttp-request-'));
const DATA = Buffer.alloc(200_000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 7 + (i >> 8)) & 0xff;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Run { code: number; stdout: Buffer; stderr: string }

/** run executes the built CLI (or another program) asynchronously so servers in this process keep serving. */
function run(args: string[], options: { input?: string | Buffer; program?: string } = {}): Promise<Run> {
  const child = options.program === undefined ? spawn(process.execPath, [BIN, 'request', ...args]) : spawn(options.program, args);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err });
  }));
}

let base = '';
let connections = 0;
const server = createHttpServer({ keepAliveTimeout: 5000 }, (req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = req.url ?? '/';
    if (url === '/echo') {
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString('latin1') }));
    }
    if (url === '/data') {
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (m === null) return res.writeHead(200, { 'Content-Length': DATA.length }).end(DATA);
      const from = Number(m[1]);
      const to = m[2] === '' ? DATA.length - 1 : Number(m[2]);
      res.writeHead(206, { 'Content-Range': `bytes ${from}-${to}/${DATA.length}`, 'Content-Length': to - from + 1 });
      return res.end(DATA.subarray(from, to + 1));
    }
    const redirect = /^\/r(\d{3})$/.exec(url);
    if (redirect !== null) return res.writeHead(Number(redirect[1]), { Location: '/echo' }).end();
    if (url === '/loop') return res.writeHead(302, { Location: '/loop' }).end();
    if (url === '/login') return res.writeHead(200, { 'Set-Cookie': ['sid=s3cret; Path=/', 'theme=dark'] }).end('welcome');
    if (url === '/missing') return res.writeHead(404).end('nope');
    res.end(`hello ${url}\n`);
  });
});
server.on('connection', () => connections++);

// Accepts and never answers: for timeouts. Answers half a body then resets: for truncation.
const sockets = new Set<Socket>();
const silent = createNetServer((s) => { sockets.add(s); s.on('error', () => {}); });
const resetter = createNetServer((s) => {
  s.on('error', () => {});
  s.once('data', () => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`);
    setTimeout(() => s.resetAndDestroy(), 50);
  });
});
let silentPort = 0;
let resetPort = 0;
let tlsBase = '';
let caFile = '';
let tlsServer: ReturnType<typeof createHttpsServer> | undefined;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  resetPort = (resetter.address() as { port: number }).port;
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1]);
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);
  tlsServer = createHttpsServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('secure hello'));
  await new Promise<void>((r) => tlsServer!.listen(0, '127.0.0.1', r));
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as { port: number }).port}`;
});

after(async () => {
  for (const s of sockets) s.destroy();
  server.closeAllConnections();
  tlsServer?.closeAllConnections();
  await Promise.all([server, silent, resetter, tlsServer!].map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

test('GET prints the body and exits 0; same bytes and exit code as curl', async () => {
  const ours = await run([`${base}/hi`]);
  assert.equal(ours.code, 0);
  assert.equal(ours.stdout.toString(), 'hello /hi\n');
  if (hasCommand('curl')) {
    for (const args of [[`${base}/hi`], ['-s', '-f', `${base}/missing`], ['-sI', `${base}/hi`], ['-s', `${base}/data`]]) {
      const [a, b] = await Promise.all([run(args), run(args, { program: 'curl' })]);
      assert.equal(a.code, b.code, args.join(' '));
      if (!args.includes('-sI')) assert.deepEqual(a.stdout, b.stdout, args.join(' '));
      else assert.equal(a.stdout.toString().split('\r\n')[0], b.stdout.toString().split('\r\n')[0]);
    }
  }
});

test('-v shows heads with markers and connection notes; several URLs re-use one connection', async () => {
  const before = connections;
  const r = await run(['-v', `${base}/a`, `${base}/b`]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.toString(), 'hello /a\nhello /b\n');
  assert.match(r.stderr, /^\* +Trying 127\.0\.0\.1:\d+\.\.\.$/m);
  assert.match(r.stderr, /^\* Connected to 127\.0\.0\.1 \(127\.0\.0\.1\) port \d+ \(#0\)$/m);
  assert.match(r.stderr, /^> GET \/a HTTP\/1\.1$/m);
  assert.match(r.stderr, /^< HTTP\/1\.1 200 OK$/m);
  assert.match(r.stderr, /^\* Re-using existing connection #0 with host 127\.0\.0\.1$/m);
  assert.equal(connections - before, 1);
});

test('request bodies: -d urlencoded joined with &, --data-binary @- from stdin, -F multipart, --json', async () => {
  const d = JSON.parse((await run(['-d', 'a=1', '-d', 'b=2', `${base}/echo`])).stdout.toString());
  assert.deepEqual([d.method, d.body, d.headers['content-type']], ['POST', 'a=1&b=2', 'application/x-www-form-urlencoded']);
  const bin = JSON.parse((await run(['--data-binary', '@-', `${base}/echo`], { input: 'hello world\n' })).stdout.toString());
  assert.equal(bin.body, 'hello world\n');
  const file = join(dir, 'upload.txt');
  writeFileSync(file, 'file content');
  const f = JSON.parse((await run(['-F', 'name=value', '-F', `doc=@${file}`, `${base}/echo`])).stdout.toString());
  assert.match(f.headers['content-type'], /^multipart\/form-data; boundary=/);
  assert.match(f.body, /Content-Disposition: form-data; name="doc"; filename="upload.txt"\r\nContent-Type: text\/plain\r\n\r\nfile content\r\n/);
  const j = JSON.parse((await run(['--json', '{"k":1}', '-X', 'PUT', `${base}/echo`])).stdout.toString());
  assert.deepEqual([j.method, j.body, j.headers['content-type'], j.headers.accept], ['PUT', '{"k":1}', 'application/json', 'application/json']);
});

test('-L follows redirects (303 -> GET, 307 keeps POST); --max-redirs exceeded exits 47', async () => {
  const a = JSON.parse((await run(['-L', '-d', 'x=1', `${base}/r303`])).stdout.toString());
  assert.deepEqual([a.method, a.body], ['GET', '']);
  const b = JSON.parse((await run(['-L', '-d', 'x=1', `${base}/r307`])).stdout.toString());
  assert.deepEqual([b.method, b.body], ['POST', 'x=1']);
  const w = await run(['-sL', '-o', '/dev/null', '-w', '%{http_code} %{num_redirects} %{url_effective}', `${base}/r301`]);
  assert.equal(w.stdout.toString(), `200 1 ${base}/echo`);
  assert.equal((await run(['-sL', '--max-redirs', '2', `${base}/loop`])).code, 47);
});

test('-f exits 22 on HTTP errors; usage errors exit 2; -I shows the head only', async () => {
  assert.equal((await run(['-sf', `${base}/missing`])).code, 22);
  assert.equal((await run(['--no-such-option', base])).code, 2);
  const head = await run(['-I', `${base}/hi`]);
  assert.match(head.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
});

test('-o, -r and -C - download exact bytes (checksums); resume appends the rest', async () => {
  const out = join(dir, 'data.bin');
  assert.equal((await run(['-s', '-o', out, `${base}/data`])).code, 0);
  assert.equal(sha(readFileSync(out)), sha(DATA));
  const part = join(dir, 'part.bin');
  assert.equal((await run(['-s', '-r', '0-999', '-o', part, `${base}/data`])).code, 0);
  assert.deepEqual(readFileSync(part), DATA.subarray(0, 1000));
  const w = await run(['-s', '-C', '-', '-o', part, '-w', '%{http_code}', `${base}/data`]);
  assert.equal(w.stdout.toString(), '206');
  assert.equal(sha(readFileSync(part)), sha(DATA));
});

test('-c writes a Netscape cookie file that -b sends back', async () => {
  const jar = join(dir, 'cookies.txt');
  assert.equal((await run(['-s', '-c', jar, `${base}/login`])).code, 0);
  const text = readFileSync(jar, 'utf8');
  assert.match(text, /^# Netscape HTTP Cookie File/);
  assert.match(text, /^127\.0\.0\.1\tFALSE\t\/\tFALSE\t0\tsid\ts3cret$/m);
  const back = JSON.parse((await run(['-s', '-b', jar, `${base}/echo`])).stdout.toString());
  assert.equal(back.headers.cookie, 'sid=s3cret; theme=dark');
  const inline = JSON.parse((await run(['-s', '-b', 'a=1; b=2', `${base}/echo`])).stdout.toString());
  assert.equal(inline.headers.cookie, 'a=1; b=2');
});

test('TLS: self-signed cert fails verification (60), works with --cacert and with -k', async () => {
  assert.equal((await run(['-s', tlsBase])).code, 60);
  const ok = await run(['-s', '--cacert', caFile, tlsBase]);
  assert.deepEqual([ok.code, ok.stdout.toString()], [0, 'secure hello']);
  const k = await run(['-sk', tlsBase]);
  assert.deepEqual([k.code, k.stdout.toString()], [0, 'secure hello']);
});

test('timeouts and connection failures map to curl exit codes (28, 7), reset mid-body is not success', async () => {
  const started = Date.now();
  assert.equal((await run(['-s', '-m', '0.3', `http://127.0.0.1:${silentPort}/`])).code, 28);
  assert.ok(Date.now() - started < 5000);
  const refusedPort = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  assert.equal((await run(['-s', `http://127.0.0.1:${refusedPort}/`])).code, 7);
  const out = join(dir, 'short.bin');
  const reset = await run(['-s', '-o', out, `http://127.0.0.1:${resetPort}/`]);
  assert.ok(reset.code === 56 || reset.code === 18, `exit ${reset.code}`);
});

test('--dry-run prints the exact request bytes; -w reports timings and connects', async () => {
  const r = await run(['--dry-run', '-H', 'X-Test: 1', '-d', 'a=b', `${base}/echo`]);
  const host = base.slice('http://'.length);
  assert.equal(
    r.stdout.toString('latin1'),
    `POST /echo HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: wirehttp/0.1.0\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Test: 1\r\nContent-Length: 3\r\n\r\na=b`,
  );
  const w = await run(['-s', '-o', '/dev/null', '-w', '%{http_code} %{num_connects} %{size_download} %{time_total}\\n', `${base}/data`]);
  assert.match(w.stdout.toString(), /^200 1 200000 \d+\.\d{6}\n$/);
});

test('--raw sends stdin bytes as given: a malformed request gets a 400', async () => {
  const host = base.slice('http://'.length);
  const bad = await run(['--raw', host, '-m', '3'], { input: 'GET / HTTP/1.1\r\nBad Header\r\n\r\n' });
  assert.equal(bad.code, 0);
  assert.match(bad.stdout.toString(), /^HTTP\/1\.1 400 Bad Request\r\n/);
  const good = await run(['--raw', host, '--crlf', '-m', '3'], { input: 'GET /raw HTTP/1.1\nHost: x\nConnection: close\n\n' });
  assert.match(good.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello \/raw\n$/);
});

test('-v prints the head bytes exactly as sent and received (odd spacing, 1xx), and who closed', async () => {
  const odd = createNetServer((s) => {
    s.on('error', () => {});
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      s.end('HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\nHTTP/1.1 200 Fine\r\nX-Zeta:1\r\nx-alpha:   two  \r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
  });
  await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(odd.address() as { port: number }).port}/odd`;
  try {
    const r = await run(['-v', '-H', 'X-Mine:  spaced', url]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.toString(), 'ok');
    const dry = await run(['--dry-run', '-H', 'X-Mine:  spaced', url]);
    const sent = dry.stdout.toString('latin1').split('\r\n').map((l) => `> ${l}\n`).slice(0, -1).join('');
    assert.ok(r.stderr.includes(sent), r.stderr);
    assert.ok(r.stderr.includes('< HTTP/1.1 100 Continue\n< X-Interim: yes\n< \n< HTTP/1.1 200 Fine\n< X-Zeta:1\n< x-alpha:   two  \n< Content-Length: 2\n< Connection: close\n< \n'), r.stderr);
    // the server ends right behind its Connection: close response, and its FIN comes first
    assert.match(r.stderr, /^\* Connection #0 to host 127\.0\.0\.1 closed by the server$/m);
  } finally {
    await new Promise((r) => odd.close(r));
  }
});

test('a reader that goes away (`| head`) ends the command quietly with 23, never a stack trace', async () => {
  // 200 kB is more than a pipe holds, so the writer is still writing when the reader closes.
  const child = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" request ${base}/data | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  await new Promise((resolve) => child.on('close', resolve));
  assert.equal(Buffer.concat(err).toString(), '');
  assert.equal(Buffer.concat(out).toString().trim(), '23');
});
