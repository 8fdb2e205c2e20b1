import { isIPv4, isIPv6 } from 'node:net';
import type { CaptureEvent, Endpoint, Side } from './capture.js';

/** MSS of the synthesized streams: Ethernet's 1500-byte MTU minus 40 bytes of IPv4 and TCP headers. */
export const MSS = 1460;
/** Segments a side sends before the other acknowledges them (a receive window well under 65535). */
const ACK_EVERY = 8;
const WINDOW = 65535;
const SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

/** pcapHeader is the classic pcap global header: magic a1b2c3d4 (microseconds), v2.4, Ethernet. */
export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8);
  h.writeUInt32LE(0, 12);
  h.writeUInt32LE(SNAPLEN, 16);
  h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  return h;
}

interface Peer {
  readonly ip: Buffer;
  readonly port: number;
  readonly mac: Buffer;
  /** Next sequence number this side sends. */
  seq: number;
  /** Highest sequence number of the other side this side has acknowledged. */
  acked: number;
  /** Segments sent since the other side last acknowledged. */
  unacked: number;
}

interface Stream {
  readonly v6: boolean;
  readonly client: Peer;
  readonly server: Peer;
  readonly secure: boolean;
}

/**
 * PcapSynthesizer turns capture events into Ethernet frames of a TCP conversation per connection,
 * between the connection's real addresses and ports: a three-way handshake with an MSS option,
 * payload cut at the MSS with consistent sequence and acknowledgement numbers (the receiver
 * acknowledges every few segments and at the end of each write), and a FIN/ACK teardown started by
 * the side that closed. IPv4 header and TCP checksums are computed. On TLS connections only `wire`
 * events (the encrypted bytes) are written; elsewhere `data` events.
 *
 * `write` receives each record (header + frame) as soon as it is built, so a file grows as the
 * traffic does. The first call writes the global header.
 */
export class PcapSynthesizer {
  private readonly streams = new Map<number, Stream>();
  private started = false;

  constructor(private readonly write: (record: Buffer) => void) {}

  push(event: CaptureEvent): void {
    if (!this.started) {
      this.started = true;
      this.write(pcapHeader());
    }
    switch (event.kind) {
      case 'open':
        this.open(event.id, event.client, event.server, event.secure, event.time);
        return;
      case 'data':
      case 'wire': {
        const s = this.streams.get(event.id);
        if (s === undefined || (event.kind === 'wire') !== s.secure) return;
        this.payload(s, event.from, event.bytes, event.time);
        return;
      }
      case 'close': {
        const s = this.streams.get(event.id);
        if (s === undefined) return;
        this.streams.delete(event.id);
        this.teardown(s, event.by === 'server' ? 'server' : 'client', event.time);
        return;
      }
      default:
        return;
    }
  }

  private open(id: number, client: Endpoint, server: Endpoint, secure: boolean, time: number): void {
    const v6 = !isIPv4(mapped(client.address)) || !isIPv4(mapped(server.address));
    const isn = (seed: number): number => (Math.imul(seed, 2654435761) >>> 0) & 0x7fffffff;
    const c: Peer = { ip: ipBytes(client.address, v6), port: client.port, mac: mac(1), seq: isn(id * 2 + 1), acked: 0, unacked: 0 };
    const s: Peer = { ip: ipBytes(server.address, v6), port: server.port, mac: mac(2), seq: isn(id * 2 + 2), acked: 0, unacked: 0 };
    const stream: Stream = { v6, client: c, server: s, secure };
    this.streams.set(id, stream);
    this.segment(stream, c, s, SYN, Buffer.alloc(0), time, true);
    c.seq++;
    this.segment(stream, s, c, SYN | ACK, Buffer.alloc(0), time, true, c.seq);
    s.seq++;
    s.acked = c.seq;
    this.segment(stream, c, s, ACK, Buffer.alloc(0), time, false, s.seq);
    c.acked = s.seq;
  }

  private payload(s: Stream, from: Side, bytes: Buffer, time: number): void {
    const [src, dst] = from === 'client' ? [s.client, s.server] : [s.server, s.client];
    for (let off = 0; off < bytes.length; off += MSS) {
      const piece = bytes.subarray(off, Math.min(off + MSS, bytes.length));
      this.segment(s, src, dst, PSH | ACK, piece, time, false, dst.seq);
      src.acked = dst.seq;
      src.seq = (src.seq + piece.length) >>> 0;
      if (++src.unacked >= ACK_EVERY) this.ack(s, dst, src, time);
    }
    if (src.unacked > 0) this.ack(s, dst, src, time);
  }

  /** ack has `by` acknowledge everything `of` sent so far. */
  private ack(s: Stream, by: Peer, of: Peer, time: number): void {
    this.segment(s, by, of, ACK, Buffer.alloc(0), time, false, of.seq);
    by.acked = of.seq;
    of.unacked = 0;
  }

  private teardown(s: Stream, closer: Side, time: number): void {
    const [a, b] = closer === 'client' ? [s.client, s.server] : [s.server, s.client];
    this.segment(s, a, b, FIN | ACK, Buffer.alloc(0), time, false, b.seq);
    a.seq = (a.seq + 1) >>> 0;
    this.segment(s, b, a, FIN | ACK, Buffer.alloc(0), time, false, a.seq);
    b.seq = (b.seq + 1) >>> 0;
    this.segment(s, a, b, ACK, Buffer.alloc(0), time, false, b.seq);
  }

  /** segment writes one frame from `src` to `dst`. */
  private segment(s: Stream, src: Peer, dst: Peer, flags: number, payload: Buffer, time: number, mssOption: boolean, ack = 0): void {
    const tcpLen = mssOption ? 24 : 20;
    const tcp = Buffer.alloc(tcpLen + payload.length);
    tcp.writeUInt16BE(src.port, 0);
    tcp.writeUInt16BE(dst.port, 2);
    tcp.writeUInt32BE(src.seq >>> 0, 4);
    tcp.writeUInt32BE(flags & ACK ? ack >>> 0 : 0, 8);
    tcp[12] = (tcpLen / 4) << 4;
    tcp[13] = flags;
    tcp.writeUInt16BE(WINDOW, 14);
    if (mssOption) {
      tcp[20] = 2;
      tcp[21] = 4;
      tcp.writeUInt16BE(MSS, 22);
    }
    payload.copy(tcp, tcpLen);
    const ip = s.v6 ? ipv6Header(src.ip, dst.ip, tcp.length) : ipv4Header(src.ip, dst.ip, tcp.length);
    tcp.writeUInt16BE(tcpChecksum(src.ip, dst.ip, tcp, s.v6), 16);
    const eth = Buffer.alloc(14);
    dst.mac.copy(eth, 0);
    src.mac.copy(eth, 6);
    eth.writeUInt16BE(s.v6 ? 0x86dd : 0x0800, 12);
    const frameLen = eth.length + ip.length + tcp.length;
    const rec = Buffer.alloc(16);
    const micros = Math.round(time * 1000);
    rec.writeUInt32LE(Math.floor(micros / 1e6), 0);
    rec.writeUInt32LE(micros % 1e6, 4);
    rec.writeUInt32LE(frameLen, 8);
    rec.writeUInt32LE(frameLen, 12);
    this.write(Buffer.concat([rec, eth, ip, tcp], 16 + frameLen));
  }
}

let ipId = 1;

function ipv4Header(src: Buffer, dst: Buffer, payloadLength: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payloadLength, 2);
  h.writeUInt16BE(ipId++ & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = 64;
  h[9] = 6;
  src.copy(h, 12);
  dst.copy(h, 16);
  h.writeUInt16BE(fold(sum16(h, 0)), 10);
  return h;
}

function ipv6Header(src: Buffer, dst: Buffer, payloadLength: number): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payloadLength, 4);
  h[6] = 6;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return h;
}

/** tcpChecksum is the one's complement sum over the pseudo-header and the segment (RFC 793, RFC 8200 §8.1). */
function tcpChecksum(src: Buffer, dst: Buffer, tcp: Buffer, v6: boolean): number {
  let sum = sum16(src, 0) + sum16(dst, 0) + 6;
  sum += v6 ? (tcp.length >>> 16) + (tcp.length & 0xffff) : tcp.length;
  sum += sum16(tcp, 0);
  const c = fold(sum);
  return c === 0 ? 0xffff : c;
}

function sum16(b: Buffer, sum: number): number {
  const even = b.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) sum += b[b.length - 1]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function mac(n: number): Buffer {
  return Buffer.from([0x02, 0, 0, 0, 0, n]);
}

/** mapped turns an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) into its IPv4 form. */
function mapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** ipBytes encodes an address as 4 bytes, or 16 for IPv6 (IPv4 then becomes ::ffff:a.b.c.d). */
function ipBytes(address: string, v6: boolean): Buffer {
  const a = mapped(address);
  if (!v6) return Buffer.from(a.split('.').map(Number));
  if (isIPv4(a)) return Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), Buffer.from(a.split('.').map(Number))]);
  if (!isIPv6(a)) return Buffer.alloc(16);
  const [head, tail] = a.split('::') as [string, string | undefined];
  const words = (s: string | undefined): number[] => (s === undefined || s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w & 0xffff, i * 2));
  return out;
}
