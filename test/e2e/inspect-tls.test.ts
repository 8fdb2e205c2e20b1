import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { createServer } from '../../src/index.js';
import { fanOut, fromServerObserver, type CaptureEvent } from '../../src/inspect/capture.js';
import { PcapSynthesizer } from '../../src/inspect/pcap.js';
import { toolSkip } from '../support/tools.js';

const BIN = fileURLToPath(new URL('../../../bin/wirehttp.js', import.meta.url));

function run(program: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('latin1')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('latin1')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('TLS: the server observer reports the finished handshake (secure) right after open, so --trace says which TLS version', async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
  const events: CaptureEvent[] = [];
  const server = createServer((_req, res) => res.end('ok'), { tls: { key: pems.private, cert: pems.cert } });
  server.observe(fromServerObserver((e) => events.push(e)));
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const r = await run(process.execPath, [BIN, 'request', '-k', '-s', `https://127.0.0.1:${port}/`]);
    assert.equal(r.code, 0, r.stderr);
    await server.close(500);
    const kinds = events.filter((e) => e.kind === 'open' || e.kind === 'tls' || e.kind === 'close').map((e) => (e.kind === 'tls' ? `tls ${e.protocol}` : e.kind));
    assert.deepEqual(kinds, ['open', 'tls TLSv1.3', 'close']);
  } finally {
    await server.close(100);
  }
});

test('TLS: the pcap holds the encrypted bytes, and tshark decrypts them with either side\'s key log', { skip: toolSkip('tshark', 'apt-get install -y tshark') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-tls-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
  const records: Buffer[] = [];
  const keys: string[] = [];
  const events: CaptureEvent[] = [];
  const pcap = new PcapSynthesizer((r) => records.push(r));
  const sink = fanOut([(e) => events.push(e), (e) => pcap.push(e), (e) => void (e.kind === 'keylog' && keys.push(e.line))]);
  const server = createServer((req, res) => res.end(`secret answer to ${req.target}`), { tls: { key: pems.private, cert: pems.cert } });
  server.observe(fromServerObserver(sink, { tlsWire: true }));
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const clientKeys = join(dir, 'client.keys');
    const clientPcap = join(dir, 'client.pcap');
    const r = await run(process.execPath, [BIN, 'request', '-k', '--keylog', clientKeys, '--pcap', clientPcap, `https://127.0.0.1:${port}/one`, `https://127.0.0.1:${port}/two?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'the client shows its ciphertext to --pcap, so nothing needs explaining');
    assert.equal(r.stdout, 'secret answer to /onesecret answer to /two?x=1');
    await server.close(500);

    const file = join(dir, 'tls.pcap');
    writeFileSync(file, Buffer.concat(records));
    const serverKeys = join(dir, 'server.keys');
    writeFileSync(serverKeys, keys.map((k) => `${k}\n`).join(''));
    // The plaintext never reaches the file: only TLS records do.
    assert.equal(Buffer.concat(records).includes('secret answer'), false);
    assert.ok(events.some((e) => e.kind === 'data' && e.bytes.includes('secret answer')), 'the HTTP layer still sees plaintext');
    assert.match(readFileSync(clientKeys, 'utf8'), /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|CLIENT_RANDOM|SERVER_HANDSHAKE_TRAFFIC_SECRET|EXPORTER_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0) /m);

    const tshark = (extra: string[], capture = file): string => {
      const out = spawnSync('tshark', ['-r', capture, ...extra], { encoding: 'latin1', timeout: 20_000 });
      assert.equal(out.status, 0, out.stderr);
      return out.stdout;
    };
    assert.equal(tshark(['-Y', 'http']), '', 'without keys nothing is readable');
    assert.match(tshark(['-Y', 'tls.handshake.type == 1']), /Client Hello/);
    for (const keylog of [serverKeys, clientKeys]) {
      const http = tshark(['-o', `tls.keylog_file:${keylog}`, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code']);
      assert.deepEqual(http.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim()), ['/one', '200', '/two?x=1', '200']);
    }
    assert.equal(tshark(['-o', `tls.keylog_file:${serverKeys}`, '-Y', 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning']), '');

    // The client's own capture (request --pcap) holds its encrypted bytes too.
    assert.equal(readFileSync(clientPcap).includes('secret answer'), false);
    const fromClient = tshark(['-o', `tls.keylog_file:${clientKeys}`, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code'], clientPcap);
    assert.deepEqual(fromClient.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim()), ['/one', '200', '/two?x=1', '200']);
    assert.equal(tshark(['-o', `tls.keylog_file:${clientKeys}`, '-Y', 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning'], clientPcap), '');
  } finally {
    await server.close(100);
    if (process.env.KEEP_TLS_DIR === undefined) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
});
