// TLS details of the client: the key-log hook (SSLKEYLOGFILE format) in the library and the CLI,
// SNI with a host name, and verification against our own TLS server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { generate } from 'selfsigned';
import { Agent, request, type ClientConnectionInfo } from '../../src/client/index.js';
import { createServer, type Server } from '../../src/server/index.js';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;
/** One NSS key log line: label, 32-byte client random, secret (TLS 1.3 labels, or CLIENT_RANDOM for 1.2). */
const KEYLOG_LINE = /^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]{64,}$/;

let pems: { cert: string; private: string };
let nodeTls: HttpsServer;
let ours: Server;
let nodeBase = '';
let oursBase = '';
const dir = mkdtempSync(join(tmpdir(), 'wirehttp-tls-'));

before(async () => {
  pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 2, value: 'alt.test' }, { type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1]);
  // node:https reports the SNI name it received: `servername` is false when none was sent.
  nodeTls = createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const sni = (req.socket as TLSSocket).servername;
    res.end(typeof sni === 'string' ? sni : '(none)');
  });
  await new Promise<void>((r) => nodeTls.listen(0, '127.0.0.1', r));
  nodeBase = `https://127.0.0.1:${(nodeTls.address() as { port: number }).port}`;
  ours = createServer((req, res) => res.end(`secure=${req.secure}`), { tls: { key: pems.private, cert: pems.cert } });
  oursBase = `https://127.0.0.1:${(await ours.listen(0, '127.0.0.1')).port}`;
});

after(async () => {
  nodeTls.closeAllConnections();
  await new Promise((r) => nodeTls.close(r));
  await ours.close(100);
  rmSync(dir, { recursive: true, force: true });
});

test('key log: onKeylog and the observer receive SSLKEYLOGFILE lines for the handshake', async () => {
  const hook: string[] = [];
  const seen: Array<[ClientConnectionInfo, string]> = [];
  const agent = new Agent({ observer: { keylog: (c, line) => seen.push([c, line.toString()]) } });
  try {
    const tls = { ca: pems.cert, onKeylog: (line: Buffer) => hook.push(line.toString()) };
    const res = await request(`${oursBase}/`, { agent, tls });
    assert.equal(await res.text(), 'secure=true');
    assert.ok(hook.length >= 1);
    for (const line of hook) {
      assert.ok(line.endsWith('\n'), 'each line ends with LF');
      assert.match(line.trimEnd(), KEYLOG_LINE);
    }
    assert.deepEqual(seen.map(([, l]) => l), hook);
    assert.equal(seen[0]![0].id, res.connection.id);
    assert.equal(res.connection.info.tlsProtocol, 'TLSv1.3');
    const labels = hook.map((l) => l.split(' ')[0]);
    for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) assert.ok(labels.includes(label), label);
    // The client random is the same on every line of one handshake.
    assert.equal(new Set(hook.map((l) => l.split(' ')[1])).size, 1);
  } finally {
    agent.close();
  }
});

test('key log: `wirehttp request` appends to $SSLKEYLOGFILE', async () => {
  const file = join(dir, 'keys.log');
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);
  const child = spawn(process.execPath, [BIN, 'request', '-s', '--cacert', caFile, `${oursBase}/`, `${nodeBase}/`], { env: { ...process.env, SSLKEYLOGFILE: file } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end();
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0);
  assert.equal(out, 'secure=true(none)');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.match(line, KEYLOG_LINE);
  assert.equal(new Set(lines.map((l) => l.split(' ')[1])).size, 2, 'two handshakes, two client randoms');
});

test('SNI: the servername option is sent; an IP-literal URL sends none; a name mismatch fails', async () => {
  const agent = new Agent();
  try {
    const named = await request(`${nodeBase}/`, { agent, tls: { ca: pems.cert, servername: 'alt.test' } });
    assert.equal(await named.text(), 'alt.test');
    const ip = await request(`${nodeBase}/`, { agent: new Agent(), tls: { ca: pems.cert } });
    assert.equal(await ip.text(), '(none)');
    await assert.rejects(request(`${nodeBase}/`, { agent: new Agent(), tls: { ca: pems.cert, servername: 'other.test' } }), (e: Error & { code?: string }) => e.code === 'ETLS');
    const k = await request(`${nodeBase}/`, { agent: new Agent(), tls: { rejectUnauthorized: false, servername: 'other.test' } });
    assert.equal(await k.text(), 'other.test');
  } finally {
    agent.close();
  }
});
