import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createServer, ResponseParser } from '../../src/index.js';
import { harProblems } from '../../src/inspect/har-schema.test-util.js';
import { toolSkip } from '../support/tools.js';

const BIN = fileURLToPath(new URL('../../../bin/wirehttp.js', import.meta.url));
const BIG = Buffer.alloc(100_000, 'wirehttp ');

/** Conversation is what one raw client connection wrote and read, byte for byte. */
interface Conversation {
  sent: Buffer;
  received: Buffer;
}

/**
 * talk connects to host:port and sends each batch of `requests` (several requests in one string are
 * pipelined in one write), waiting after each batch for that many complete responses; then half-closes
 * and waits for the close.
 */
async function talk(host: string, port: number, batches: Array<{ text: string; methods: string[] }>): Promise<Conversation> {
  const socket = connect(port, host);
  const sent: Buffer[] = [];
  const received: Buffer[] = [];
  let done = 0;
  let wake: (() => void) | undefined;
  const parser = new ResponseParser({ onHead() {}, onBody() {}, onTrailers() {}, onEnd: () => void (done++, wake?.()) });
  socket.on('data', (b: Buffer) => {
    received.push(b);
    parser.feed(b);
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let want = 0;
  for (const batch of batches) {
    for (const m of batch.methods) parser.expect(m);
    want += batch.methods.length;
    const bytes = Buffer.from(batch.text, 'latin1');
    sent.push(bytes);
    socket.write(bytes);
    while (done < want) await new Promise<void>((resolve) => (wake = resolve));
  }
  socket.end();
  await closed;
  return { sent: Buffer.concat(sent), received: Buffer.concat(received) };
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'latin1', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** followRaw reads `tshark -z follow,tcp,raw,N`: client bytes on unindented lines, server bytes after a tab. */
function followRaw(file: string, stream: number): Conversation {
  const out = tshark(['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`]);
  const body = out.split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l));
  const hex = (server: boolean): Buffer => Buffer.from(body.filter((l) => l.startsWith('\t') === server).map((l) => l.trim()).join(''), 'hex');
  return { sent: hex(false), received: hex(true) };
}

test('proxy --pcap: tshark sees every exchange, each stream has the exact bytes, and nothing is flagged', { skip: toolSkip('tshark', 'apt-get install -y tshark') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-pcap-'));
  const upstream = createServer((req, res) => {
    if (req.path === '/chunked') {
      res.write('hello ');
      res.write('chunked ');
      res.end('world');
    } else if (req.path === '/big') {
      res.end(BIG);
    } else {
      res.end(`you asked for ${req.target}`);
    }
  });
  const { port: upstreamPort } = await upstream.listen(0, '127.0.0.1');
  const pcap = join(dir, 'cap.pcap');
  const har = join(dir, 'cap.har');
  const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '0', '--bind', '::', '--to', `http://127.0.0.1:${upstreamPort}`, '--pcap', pcap, '--har', har, '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 5000);
      child.stdout.on('data', () => {
        const m = /proxy on http:\/\/\[::\]:(\d+)\//.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: lab\r\n${extra}\r\n`;
    // IPv4 (as ::ffff:127.0.0.1 on the dual-stack socket): a pipelined pair, then reuse for a >64 KB body.
    const v4 = await talk('127.0.0.1', port, [
      { text: get('/a?x=1') + get('/chunked'), methods: ['GET', 'GET'] },
      { text: get('/big'), methods: ['GET'] },
    ]);
    const v6 = await talk('::1', port, [{ text: get('/six', 'Connection: close\r\n'), methods: ['GET'] }]);
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));

    const http = tshark(['-r', pcap, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code', '-E', 'separator=;'])
      .split('\n').filter((l) => l !== '').flatMap((l) => l.split(';').flatMap((f) => f.split(',')).filter((f) => f !== ''));
    assert.deepEqual(http.filter((f) => f.startsWith('/')), ['/a?x=1', '/chunked', '/big', '/six']);
    assert.deepEqual(http.filter((f) => !f.startsWith('/')), ['200', '200', '200', '200']);
    assert.match(tshark(['-r', pcap, '-Y', 'http.transfer_encoding == "chunked"']), /200 OK/);
    assert.match(tshark(['-r', pcap, '-Y', 'ipv6.src == ::1 && http']), /GET \/six/);

    for (const [n, conv] of [[0, v4], [1, v6]] as const) {
      const seen = followRaw(pcap, n);
      assert.ok(seen.sent.equals(conv.sent), `stream ${n}: client bytes differ`);
      assert.ok(seen.received.equals(conv.received), `stream ${n}: server bytes differ (${seen.received.length} vs ${conv.received.length})`);
    }
    assert.equal(tshark(['-r', pcap, '-Y', 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning']), '');
    const checks = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
    assert.equal(tshark(['-r', pcap, ...checks, '-Y', 'tcp.checksum.status != 1 || ip.checksum.status != 1 && ip']), '');
    assert.equal(tshark(['-r', pcap, '-Y', 'tcp.len > 1460']), '');
    // The handshake carries the MSS option, and each teardown starts with the closer's FIN.
    assert.equal(tshark(['-r', pcap, '-Y', 'tcp.flags.syn == 1 && tcp.options.mss_val == 1460']).trim().split('\n').length, 4);
    assert.equal(tshark(['-r', pcap, '-Y', 'tcp.flags.fin == 1']).trim().split('\n').length, 4);

    const doc = JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: Array<{ request: { url: string }; response: { content: { size: number } } }> } };
    assert.deepEqual(harProblems(doc), []);
    assert.deepEqual(doc.log.entries.map((e) => e.request.url), ['http://lab/a?x=1', 'http://lab/chunked', 'http://lab/big', 'http://lab/six']);
    assert.equal(doc.log.entries[2]!.response.content.size, BIG.length);
  } finally {
    child.kill('SIGKILL');
    await upstream.close(100);
    rmSync(dir, { recursive: true, force: true });
  }
});
