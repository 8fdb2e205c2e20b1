import { isIPv4, isIPv6 } from 'node:net';
import type { CaptureEvent, Endpoint, Side } from './capture.js';

/** MSS of the synthesized streams: Ethernet's 1500-byte MTU minus 40 bytes of IPv4 and TCP headers. */
export const MSS = 1460;
/** Full segments a side receives before it acknowledges them without waiting (receive window well under 65535). */
const ACK_EVERY = 8;
/** A receiver with nothing to send acknowledges this long after the data (Linux's delayed-ACK minimum). */
export const ACK_DELAY_MS = 40;
const WINDOW = 65535;
const SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const ETH = 14;

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
  /** Ethernet header, IP header (length, id and checksum left to fill) and the TCP ports of frames this side sends. */
  readonly template: Buffer;
  /** One's complement sum of this side's pseudo-header addresses and protocol, for TCP checksums. */
  readonly pseudo: number;
  /** Next sequence number this side sends. */
  seq: number;
  /** Segments of the other side this side has not acknowledged yet, and when the first of them came. */
  owes: number;
  owedAt: number;
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
 * payload cut at the MSS with consistent sequence and acknowledgement numbers, and a FIN/ACK
 * teardown started by the side that closed. Acknowledgements behave as delayed ACKs do: a receiver
 * acknowledges on its next segment (a response acknowledges its request), or after ACK_EVERY full
 * segments, or with a pure ACK stamped ACK_DELAY_MS after the data when it stays silent longer.
 * IPv4 header and TCP checksums are computed. On TLS connections only `wire` events (the encrypted
 * bytes) are written; elsewhere `data` events. Frame timestamps never go backwards.
 *
 * `write` receives each record (record header + frame) as soon as it is built; the first call is
 * the global header.
 */
export class PcapSynthesizer {
  private readonly streams = new Map<number, Stream>();
  private started = false;
  private last = 0;
  private ipId = 1;

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
        if (s === undefined || (event.kind === 'wire') !== s.secure || event.bytes.length === 0) return;
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
    const cIp = ipBytes(client.address, v6);
    const sIp = ipBytes(server.address, v6);
    const c: Peer = { template: template(v6, mac(1), mac(2), cIp, sIp, client.port, server.port), pseudo: sum16(sIp, 0, sIp.length, sum16(cIp, 0, cIp.length, 6)), seq: isn(id * 2 + 1), owes: 0, owedAt: 0 };
    const s: Peer = { template: template(v6, mac(2), mac(1), sIp, cIp, server.port, client.port), pseudo: c.pseudo, seq: isn(id * 2 + 2), owes: 0, owedAt: 0 };
    const stream: Stream = { v6, client: c, server: s, secure };
    this.streams.set(id, stream);
    this.segment(stream, c, s, SYN, EMPTY, time, true);
    c.seq = (c.seq + 1) >>> 0;
    this.segment(stream, s, c, SYN | ACK, EMPTY, time, true);
    s.seq = (s.seq + 1) >>> 0;
    this.segment(stream, c, s, ACK, EMPTY, time, false);
  }

  private payload(s: Stream, from: Side, bytes: Buffer, time: number): void {
    const [src, dst] = from === 'client' ? [s.client, s.server] : [s.server, s.client];
    this.overdue(s, time);
    for (let off = 0; off < bytes.length; off += MSS) {
      const piece = off === 0 && bytes.length <= MSS ? bytes : bytes.subarray(off, Math.min(off + MSS, bytes.length));
      this.segment(s, src, dst, PSH | ACK, piece, time, false);
      src.seq = (src.seq + piece.length) >>> 0;
      if (dst.owes++ === 0) dst.owedAt = time;
      if (dst.owes >= ACK_EVERY) this.segment(s, dst, src, ACK, EMPTY, time, false);
    }
  }

  /**
   * overdue sends the pure ACK a side's delayed-ACK timer would have sent by `now`, stamped when it
   * fired. Only one side can owe at a time: any segment acknowledges all the other side sent.
   */
  private overdue(s: Stream, now: number): void {
    const [by, of] = s.client.owes > 0 ? [s.client, s.server] : [s.server, s.client];
    if (by.owes > 0 && now - by.owedAt >= ACK_DELAY_MS) this.segment(s, by, of, ACK, EMPTY, by.owedAt + ACK_DELAY_MS, false);
  }

  private teardown(s: Stream, closer: Side, time: number): void {
    const [a, b] = closer === 'client' ? [s.client, s.server] : [s.server, s.client];
    this.overdue(s, time);
    this.segment(s, a, b, FIN | ACK, EMPTY, time, false);
    a.seq = (a.seq + 1) >>> 0;
    this.segment(s, b, a, FIN | ACK, EMPTY, time, false);
    b.seq = (b.seq + 1) >>> 0;
    this.segment(s, a, b, ACK, EMPTY, time, false);
  }

  /**
   * segment writes one frame from `src` to `dst`, built in one buffer. Every segment but the first
   * SYN acknowledges all `dst` has sent, so `src` owes nothing afterwards.
   */
  private segment(s: Stream, src: Peer, dst: Peer, flags: number, payload: Buffer, time: number, mssOption: boolean): void {
    const ipLen = s.v6 ? 40 : 20;
    const tcpLen = mssOption ? 24 : 20;
    const segLen = tcpLen + payload.length;
    const frameLen = ETH + ipLen + segLen;
    const buf = Buffer.allocUnsafe(16 + frameLen);
    const t = Math.max(time, this.last);
    this.last = t;
    const micros = Math.round(t * 1000);
    buf.writeUInt32LE(Math.floor(micros / 1e6), 0);
    buf.writeUInt32LE(micros % 1e6, 4);
    buf.writeUInt32LE(frameLen, 8);
    buf.writeUInt32LE(frameLen, 12);
    src.template.copy(buf, 16);
    const ip = 16 + ETH;
    if (s.v6) {
      buf.writeUInt16BE(segLen, ip + 4);
    } else {
      buf.writeUInt16BE(ipLen + segLen, ip + 2);
      buf.writeUInt16BE(this.ipId, ip + 4);
      this.ipId = (this.ipId + 1) & 0xffff;
      buf.writeUInt16BE(0, ip + 10);
      buf.writeUInt16BE(fold(sum16(buf, ip, ip + 20, 0)), ip + 10);
    }
    const tcp = ip + ipLen;
    // Ports come from the template; the rest of the header is written here.
    buf.writeUInt32BE(src.seq >>> 0, tcp + 4);
    buf.writeUInt32BE(flags & ACK ? dst.seq >>> 0 : 0, tcp + 8);
    buf[tcp + 12] = (tcpLen / 4) << 4;
    buf[tcp + 13] = flags;
    buf.writeUInt16BE(WINDOW, tcp + 14);
    buf.writeUInt32BE(0, tcp + 16); // checksum (below) and urgent pointer
    if (mssOption) {
      buf[tcp + 20] = 2;
      buf[tcp + 21] = 4;
      buf.writeUInt16BE(MSS, tcp + 22);
    }
    payload.copy(buf, tcp + tcpLen);
    // RFC 793 pseudo-header (RFC 8200 §8.1 for IPv6: a 32-bit length). Unlike UDP, TCP sends a
    // computed 0 as 0 (checkers compare it exactly).
    const sum = sum16(buf, tcp, tcp + segLen, src.pseudo + (segLen >>> 16) + (segLen & 0xffff));
    buf.writeUInt16BE(fold(sum), tcp + 16);
    if (flags & ACK) src.owes = 0;
    this.write(buf);
  }
}

const EMPTY = Buffer.alloc(0);

/** template builds the constant start of frames from one side: Ethernet, IP (addresses, TTL, protocol) and ports. */
function template(v6: boolean, srcMac: Buffer, dstMac: Buffer, srcIp: Buffer, dstIp: Buffer, srcPort: number, dstPort: number): Buffer {
  const ipLen = v6 ? 40 : 20;
  const t = Buffer.alloc(ETH + ipLen + 4);
  dstMac.copy(t, 0);
  srcMac.copy(t, 6);
  t.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const ip = ETH;
  if (v6) {
    t.writeUInt32BE(0x60000000, ip);
    t[ip + 6] = 6;
    t[ip + 7] = 64;
    srcIp.copy(t, ip + 8);
    dstIp.copy(t, ip + 24);
  } else {
    t[ip] = 0x45;
    t.writeUInt16BE(0x4000, ip + 6); // don't fragment
    t[ip + 8] = 64;
    t[ip + 9] = 6;
    srcIp.copy(t, ip + 12);
    dstIp.copy(t, ip + 16);
  }
  t.writeUInt16BE(srcPort, ip + ipLen);
  t.writeUInt16BE(dstPort, ip + ipLen + 2);
  return t;
}

/** sum16 adds the big-endian 16-bit words of b[from, to) to `sum` (an odd last byte is padded with zero). */
function sum16(b: Buffer, from: number, to: number, sum: number): number {
  const even = from + ((to - from) & ~1);
  for (let i = from; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (even < to) sum += b[even]! << 8;
  return sum;
}

/** fold ends a one's complement sum: carries folded in, then complemented. */
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
