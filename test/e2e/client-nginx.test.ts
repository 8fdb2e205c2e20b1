// Our client and `wirehttp request` against a real nginx (Debian nginx-light), started here on a free
// loopback port with a config written into a temp dir: keep-alive, chunked, ranges and resume,
// every redirect status, TLS with a self-signed certificate, SNI.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { Agent, request } from '../../src/client/index.js';
import { hasCommand, toolSkip } from '../support/tools.js';

const NGINX = hasCommand('nginx') ? 'nginx' : '/usr/sbin/nginx';
const skip = toolSkip(NGINX, 'apt-get install -y nginx-light');
const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;

const DATA = Buffer.alloc(300_000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 131 + (i >> 10)) & 0xff;
const TEXT = 'the quick brown fox jumps over the lazy dog\n'.repeat(2000);
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

interface Run { code: number; stdout: Buffer; stderr: string }

/** cli runs `wirehttp request ARGS` asynchronously. */
function cli(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'request', ...args]);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err });
  }));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not listen on ${port}: ${log()}`);
}

/** config is the whole nginx.conf: one plain and one TLS server over the same locations. */
function config(dir: string, port: number, tlsPort: number): string {
  const locations = `
    root ${dir}/www;
    keepalive_requests 1000;
    location = /conn { default_type text/plain; return 200 "$connection $connection_requests"; }
    location = /method { default_type text/plain; return 200 "$request_method $http_content_length"; }
    location = /sni { default_type text/plain; return 200 "$ssl_server_name"; }
    location = /r301 { return 301 /method; }
    location = /r302 { return 302 /method; }
    location = /r303 { return 303 /method; }
    location = /r307 { return 307 /method; }
    location = /r308 { return 308 /method; }
    location = /loop { return 302 /loop; }
    location /filtered/ {
      alias ${dir}/www/;
      sub_filter 'fox' 'cat';
      sub_filter_once off;
      sub_filter_types *;
      chunked_transfer_encoding on;
    }
    location /gz/ { alias ${dir}/www/; gzip on; gzip_min_length 1; gzip_types *; }
  `;
  return `daemon off;
master_process off;
worker_processes 1;
error_log stderr;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  default_type application/octet-stream;
  keepalive_timeout 30s;
  server { listen 127.0.0.1:${port}; server_name localhost; ${locations} }
  server {
    listen 127.0.0.1:${tlsPort} ssl;
    server_name localhost;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    ${locations}
  }
}
`;
}

describe('client and CLI against nginx', { skip }, () => {
  let dir = '';
  let nginx: ChildProcess | undefined;
  let base = '';
  let tlsBase = '';
  let caFile = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirehttp-nginx-'));
    mkdirSync(join(dir, 'www'));
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'www', 'data.bin'), DATA);
    writeFileSync(join(dir, 'www', 'fox.txt'), TEXT);
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    } as Parameters<typeof generate>[1]);
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.private);
    caFile = join(dir, 'cert.pem');
    const [port, tlsPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port, tlsPort));
    let log = '';
    nginx = spawn(NGINX, ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitForPort(port, nginx, () => log);
    await waitForPort(tlsPort, nginx, () => log);
    base = `http://127.0.0.1:${port}`;
    tlsBase = `https://127.0.0.1:${tlsPort}`;
  });

  after(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('keep-alive: nginx sees one connection serving every request ($connection_requests counts up)', async () => {
    const agent = new Agent();
    try {
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push(await (await request(`${base}/conn`, { agent })).text());
      const conn = seen[0]!.split(' ')[0];
      assert.deepEqual(seen, [1, 2, 3, 4, 5].map((n) => `${conn} ${n}`));
      assert.equal(agent.connectionsOpened, 1);
    } finally {
      agent.close();
    }
    const v = await cli(['-v', `${base}/conn`, `${base}/conn`, `${base}/conn`]);
    assert.equal(v.code, 0);
    assert.match(v.stdout.toString(), /^(\d+) 1\1 2\1 3$/);
    assert.equal(v.stderr.match(/^\* Re-using existing connection #0/gm)?.length, 2);
  });

  test('chunked: a sub_filter response arrives chunked and decoded; gzip decoded with --compressed', async () => {
    const agent = new Agent();
    try {
      const res = await request(`${base}/filtered/fox.txt`, { agent });
      assert.equal(res.headers.get('transfer-encoding'), 'chunked');
      assert.equal(res.headers.get('content-length'), undefined);
      assert.equal(sha(await res.bytes()), sha(TEXT.replaceAll('fox', 'cat')));
      const gz = await request(`${base}/gz/fox.txt`, { agent, decompress: true });
      assert.equal(gz.headers.get('content-encoding'), 'gzip');
      assert.equal(await gz.text(), TEXT);
      assert.equal(agent.connectionsOpened, 1);
    } finally {
      agent.close();
    }
    const c = await cli(['-s', '--compressed', `${base}/gz/fox.txt`]);
    assert.deepEqual([c.code, sha(c.stdout)], [0, sha(TEXT)]);
  });

  test('ranges: -r gives exact bytes, -C - resumes a partial file to the full checksum', async () => {
    const r = await cli(['-s', '-r', '0-9', `${base}/data.bin`]);
    assert.deepEqual([r.code, r.stdout], [0, DATA.subarray(0, 10)]);
    const mid = await cli(['-s', '-r', '1000-99999', `${base}/data.bin`]);
    assert.equal(sha(mid.stdout), sha(DATA.subarray(1000, 100_000)));
    const agent = new Agent();
    try {
      const tail = await request(`${base}/data.bin`, { agent, headers: { Range: 'bytes=-500' } });
      assert.equal(tail.status, 206);
      assert.equal(tail.headers.get('content-range'), `bytes ${DATA.length - 500}-${DATA.length - 1}/${DATA.length}`);
      assert.deepEqual(await tail.bytes(), DATA.subarray(-500));
    } finally {
      agent.close();
    }
    const part = join(dir, 'part.bin');
    writeFileSync(part, DATA.subarray(0, 123_457));
    const resume = await cli(['-s', '-C', '-', '-o', part, '-w', '%{http_code}', `${base}/data.bin`]);
    assert.deepEqual([resume.code, resume.stdout.toString()], [0, '206']);
    assert.equal(sha(readFileSync(part)), sha(DATA));
    const whole = join(dir, 'whole.bin');
    assert.equal((await cli(['-s', '-o', whole, `${base}/data.bin`])).code, 0);
    assert.equal(sha(readFileSync(whole)), sha(DATA));
  });

  test('redirects: return 301/302/303 turn POST into GET, 307/308 keep POST and body; loops exit 47', async () => {
    const want: Record<string, string> = { '301': 'GET ', '302': 'GET ', '303': 'GET ', '307': 'POST 3', '308': 'POST 3' };
    const agent = new Agent();
    try {
      for (const [status, expected] of Object.entries(want)) {
        const res = await request(`${base}/r${status}`, { agent, method: 'POST', body: 'x=1', followRedirects: true });
        assert.equal(await res.text(), expected, status);
        assert.equal(res.url, `${base}/method`);
        const noFollow = await request(`${base}/r${status}`, { agent });
        assert.deepEqual([noFollow.status, noFollow.headers.get('location')], [Number(status), `${base}/method`]);
        await noFollow.dump();
      }
      assert.equal(agent.connectionsOpened, 1);
    } finally {
      agent.close();
    }
    for (const [status, expected] of Object.entries(want)) {
      const r = await cli(['-sL', '-d', 'x=1', `${base}/r${status}`]);
      assert.deepEqual([r.code, r.stdout.toString()], [0, expected], status);
    }
    assert.equal((await cli(['-sL', '--max-redirs', '3', `${base}/loop`])).code, 47);
  });

  test('TLS: self-signed fails (60), --cacert verifies, -k skips verification', async () => {
    assert.equal((await cli(['-s', `${tlsBase}/conn`])).code, 60);
    const ok = await cli(['-s', '--cacert', caFile, `${tlsBase}/data.bin`]);
    assert.deepEqual([ok.code, sha(ok.stdout)], [0, sha(DATA)]);
    const k = await cli(['-sk', `${tlsBase}/method`]);
    assert.deepEqual([k.code, k.stdout.toString()], [0, 'GET ']);
    const v = await cli(['-v', '--cacert', caFile, `${tlsBase}/conn`, `${tlsBase}/conn`]);
    assert.match(v.stderr, /^\* SSL connection using TLSv1\.[23] \//m);
    assert.match(v.stdout.toString(), /^(\d+) 1\1 2$/);
  });

  test('TLS: SNI sends the servername (or the URL host name), never an IP literal', async () => {
    const agent = new Agent();
    const ca = readFileSync(caFile);
    try {
      const named = await request(`${tlsBase}/sni`, { agent, tls: { ca, servername: 'localhost' } });
      assert.equal(await named.text(), 'localhost');
      const ip = await request(`${tlsBase}/sni`, { agent: new Agent(), tls: { ca } });
      assert.equal(await ip.text(), '');
    } finally {
      agent.close();
    }
  });
});
