import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent, Side } from './capture.js';
import { ACK_DELAY_MS, MSS, PcapSynthesizer } from './pcap.js';

/** Frame is one record read back: time, the TCP fields, and who sent it. */
interface Frame {
  time: number;
  from: Side;
  flags: string;
  seq: number;
  ack: number;
  payload: Buffer;
}

/** onesSum is the one's complement sum of b's 16-bit words, folded (0xffff when a checksummed block verifies). */
function onesSum(b: Buffer, sum = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length & 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** readPcap parses a classic pcap of Ethernet/IP/TCP frames, checking both checksums of each. */
function readPcap(file: Buffer, clientPort: number): Frame[] {
  assert.equal(file.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(file.readUInt32LE(20), 1, 'LINKTYPE_ETHERNET');
  const frames: Frame[] = [];
  for (let off = 24; off < file.length; ) {
    const len = file.readUInt32LE(off + 8);
    assert.equal(file.readUInt32LE(off + 12), len);
    const time = file.readUInt32LE(off) * 1000 + file.readUInt32LE(off + 4) / 1000;
    const f = file.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    const v6 = f.readUInt16BE(12) === 0x86dd;
    const ip = f.subarray(14, v6 ? 54 : 34);
    const tcp = f.subarray(v6 ? 54 : 34);
    let pseudo: number;
    if (v6) {
      assert.equal(ip[6], 6);
      assert.equal(ip.readUInt16BE(4), tcp.length);
      pseudo = onesSum(ip.subarray(8, 40)) + 6 + tcp.length;
    } else {
      assert.equal(onesSum(ip), 0xffff, 'IPv4 header checksum');
      assert.equal(ip.readUInt16BE(2), 20 + tcp.length);
      pseudo = onesSum(ip.subarray(12, 20)) + 6 + tcp.length;
    }
    assert.equal(onesSum(tcp, pseudo), 0xffff, 'TCP checksum');
    const bits = tcp[13]!;
    const flags = [[0x02, 'S'], [0x01, 'F'], [0x08, 'P'], [0x10, 'A']].filter(([b]) => bits & (b as number)).map(([, n]) => n).join('');
    frames.push({ time, from: tcp.readUInt16BE(0) === clientPort ? 'client' : 'server', flags, seq: tcp.readUInt32BE(4), ack: tcp.readUInt32BE(8), payload: tcp.subarray((tcp[12]! >> 4) * 4) });
  }
  return frames;
}

const T = 1_700_000_000_000;
const client = { address: '127.0.0.1', port: 50123 };
const server = { address: '127.0.0.1', port: 8080 };
const open = (c = client, s = server): CaptureEvent => ({ kind: 'open', id: 1, client: c, server: s, secure: false, time: T });
const data = (from: Side, bytes: string | Buffer, dt: number): CaptureEvent => ({ kind: 'data', id: 1, from, bytes: Buffer.from(bytes), time: T + dt });
const close = (by: 'client' | 'server', dt: number): CaptureEvent => ({ kind: 'close', id: 1, by, reason: '', time: T + dt });

const big = Buffer.alloc(MSS * 2 + 100, 'x');
const cases: Array<{ name: string; events: CaptureEvent[]; want: string[] }> = [
  {
    name: 'a quick answer acknowledges its request; the closer sends the first FIN',
    events: [open(), data('client', 'GET / HTTP/1.1\r\n\r\n', 1), data('server', 'HTTP/1.1 204 No Content\r\n\r\n', 2), close('server', 3)],
    want: ['client S', 'server SA', 'client A', 'client PA 18', 'server PA 27', 'server FA', 'client FA', 'server A'],
  },
  {
    name: 'a body over the MSS is cut into segments; the receiver acks after a silence of ACK_DELAY_MS',
    events: [open(), data('client', 'GET / HTTP/1.1\r\n\r\n', 1), data('server', big, 2), data('client', 'GET /2 HTTP/1.1\r\n\r\n', 500), close('client', 501)],
    want: ['client S', 'server SA', 'client A', 'client PA 18', 'server PA 1460', 'server PA 1460', 'server PA 100', `client A @${2 + ACK_DELAY_MS}`, 'client PA 19', 'client FA', 'server FA', 'client A'],
  },
  {
    name: 'IPv6 and IPv4-mapped addresses make an IPv6 stream',
    events: [open({ address: '::ffff:127.0.0.1', port: 50123 }, { address: '::1', port: 8080 }), data('client', 'x', 1), close('client', 2)],
    want: ['client S', 'server SA', 'client A', 'client PA 1', 'client FA', 'server FA', 'client A'],
  },
];

for (const c of cases) {
  test(`pcap: ${c.name}`, () => {
    const records: Buffer[] = [];
    const pcap = new PcapSynthesizer((r) => records.push(r));
    for (const e of c.events) pcap.push(e);
    const frames = readPcap(Buffer.concat(records), client.port);
    const got = frames.map((f) => {
      const at = Math.round(f.time - T);
      const lateAck = f.flags === 'A' && at > 0 && !c.events.some((e) => e.time - T === at);
      return `${f.from} ${f.flags}${f.payload.length > 0 ? ` ${f.payload.length}` : ''}${lateAck ? ` @${at}` : ''}`;
    });
    assert.deepEqual(got, c.want);
    // Sequence numbers run on with each side's bytes; every ACK names exactly what the other side had sent.
    const next: Record<Side, number> = { client: frames[0]!.seq, server: frames[1]!.seq };
    const sent: Record<Side, Buffer[]> = { client: [], server: [] };
    for (const f of frames) {
      const other: Side = f.from === 'client' ? 'server' : 'client';
      assert.equal(f.seq, next[f.from] >>> 0, `${f.from} seq`);
      if (f.flags.includes('A')) assert.equal(f.ack, next[other] >>> 0, `${f.from} ack`);
      assert.ok(f.payload.length <= MSS);
      sent[f.from].push(f.payload);
      next[f.from] += f.payload.length + (f.flags.includes('S') || f.flags.includes('F') ? 1 : 0);
    }
    for (const side of ['client', 'server'] as const) {
      const want = Buffer.concat(c.events.flatMap((e) => (e.kind === 'data' && e.from === side ? [e.bytes] : [])));
      assert.ok(Buffer.concat(sent[side]).equals(want), `${side} bytes`);
    }
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i]!.time >= frames[i - 1]!.time, 'timestamps never go back');
  });
}
