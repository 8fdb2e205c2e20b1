import type { CaptureEvent } from '../capture.js';
import { HarRecorder, type Har } from '../har.js';
import { pcapHeader, PcapSynthesizer } from '../pcap.js';
import type { LiveEntry } from './recorder.js';

/**
 * harOf writes the kept exchanges that have a request and a final response as HAR 1.2, through the
 * same HarRecorder `--har` uses (bodies as far as the live buffer kept them).
 */
export function harOf(entries: Iterable<LiveEntry>, creatorVersion: string): Har {
  const har = new HarRecorder();
  for (const e of entries) {
    const ex = e.exchange;
    if (ex.request !== undefined && ex.response !== undefined && e.state === 'done') har.exchange({ kind: 'response-end', exchange: ex, time: ex.response.end ?? ex.response.start });
  }
  return har.har(creatorVersion);
}

/**
 * pcapOf synthesizes a pcap of the kept exchanges with the PcapSynthesizer `--pcap` uses: each
 * connection one TCP stream between its real addresses, holding the kept wire bytes of its
 * exchanges in order, closed by whoever closed it (connections still open end without a FIN).
 * TLS connections appear decrypted: the live buffer keeps the HTTP bytes, not the ciphertext.
 * A message longer than the buffer's per-side cap is cut short in the stream.
 */
export function pcapOf(entries: Iterable<LiveEntry>): Buffer {
  const events: CaptureEvent[] = [];
  const seen = new Set<number>();
  const last = new Map<number, LiveEntry>();
  for (const e of entries) {
    const ex = e.exchange;
    const conn = ex.connection;
    if (!seen.has(conn.id)) {
      seen.add(conn.id);
      events.push({ kind: 'open', id: conn.id, client: conn.client, server: conn.server, secure: false, time: Math.min(conn.opened, ex.request?.start ?? Infinity) });
    }
    if (e.request !== undefined) events.push({ kind: 'data', id: conn.id, from: 'client', bytes: e.request.bytes, time: ex.request?.start ?? conn.opened });
    if (e.response !== undefined) events.push({ kind: 'data', id: conn.id, from: 'server', bytes: e.response.bytes, time: ex.interim[0]?.start ?? ex.response?.start ?? conn.opened });
    last.set(conn.id, e);
  }
  for (const [id, e] of last) {
    const closed = e.exchange.connection.closed;
    if (closed !== undefined) events.push({ kind: 'close', id, by: closed.by, reason: closed.reason, time: closed.time });
  }
  // Streams interleave in time, as they did on the wire (sort is stable: a connection's own order stays).
  events.sort((a, b) => a.time - b.time);
  const records: Buffer[] = [];
  const pcap = new PcapSynthesizer((r) => records.push(r));
  for (const e of events) pcap.push(e);
  return records.length === 0 ? pcapHeader() : Buffer.concat(records);
}
