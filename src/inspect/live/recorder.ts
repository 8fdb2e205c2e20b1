import type { CaptureEvent } from '../capture.js';
import type { ConnectionRecord, Exchange, ExchangeConsumer, ExchangeEvent } from '../exchanges.js';
import { Ring } from './ring.js';
import { StreamTap, type Taken } from './stream-tap.js';

/** Exchanges the live page keeps by default (`--inspect-buffer N`). */
export const DEFAULT_CAPACITY = 10_000;
/** Wire bytes kept per side of one exchange (and decoded body bytes per message, see LiveInspector). */
export const DEFAULT_BYTES_CAP = 256 * 1024;
/** Bytes all kept exchanges may hold together; past it the oldest go first, whatever the capacity. */
export const DEFAULT_BUDGET = 128 * 1024 * 1024;

/** EntryState: the exchange is waiting for (the rest of) its response, complete, or cut by a close. */
export type EntryState = 'open' | 'done' | 'cut';

/**
 * LiveEntry is one exchange as the live page knows it, numbered from 1 in order of its request head
 * (or of its response head, for a response nobody was seen asking for). The wire bytes of each side
 * are exactly as sent (heads, chunk framing, trailers, interim 1xx responses on the response side),
 * at most `bytesCap` of them.
 */
export interface LiveEntry {
  readonly no: number;
  readonly exchange: Exchange;
  state: EntryState;
  /** Why a cut exchange ended early, in words. */
  cut: string | undefined;
  request: Taken | undefined;
  response: Taken | undefined;
  /** Bytes this entry holds (wire copies and decoded bodies), for the budget. */
  weight: number;
}

export type EntryChange = 'add' | 'update';

export interface RecorderOptions {
  capacity?: number;
  bytesCap?: number;
  budget?: number;
}

/**
 * LiveRecorder is the exchange consumer behind the live page: it keeps the newest exchanges in a
 * ring (bounded by count and by bytes), copies each side's wire bytes as they pass, and tells
 * listeners about every entry added or changed. Feed it through an ExchangeSplitter.
 */
export class LiveRecorder implements ExchangeConsumer {
  readonly ring: Ring<LiveEntry>;
  readonly bytesCap: number;
  private readonly budget: number;
  private readonly taps = new Map<number, ConnectionTap>();
  private readonly entries = new WeakMap<Exchange, LiveEntry>();
  private readonly listeners = new Set<(entry: LiveEntry, change: EntryChange) => void>();
  private nextNo = 1;
  private held = 0;
  /** Epoch ms of the first exchange (the page shows times relative to it). */
  started: number | undefined;

  constructor(options: RecorderOptions = {}) {
    this.ring = new Ring(options.capacity ?? DEFAULT_CAPACITY);
    this.bytesCap = options.bytesCap ?? DEFAULT_BYTES_CAP;
    this.budget = options.budget ?? DEFAULT_BUDGET;
  }

  /** listen registers a change listener; returns a function that removes it. */
  listen(listener: (entry: LiveEntry, change: EntryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** first is the number of the oldest kept exchange (nextNo when none is kept). */
  get first(): number {
    return this.ring.at(0)?.no ?? this.nextNo;
  }

  /** Bytes held by the kept exchanges. */
  get heldBytes(): number {
    return this.held;
  }

  /** get returns exchange `no` while it is kept, in O(1). */
  get(no: number): LiveEntry | undefined {
    const first = this.ring.at(0);
    return first === undefined ? undefined : this.ring.at(no - first.no);
  }

  capture(event: CaptureEvent, connection: ConnectionRecord | undefined): void {
    switch (event.kind) {
      case 'open':
        this.taps.set(event.id, new ConnectionTap(this.bytesCap));
        return;
      case 'data':
        this.taps.get(event.id)?.[event.from].add(event.bytes);
        return;
      case 'close': {
        const tap = this.taps.get(event.id);
        this.taps.delete(event.id);
        if (tap === undefined) return;
        // Exchanges still waiting get the connection's end as their reason (the splitter has already
        // reported what was cut mid-message).
        for (const entry of tap.open) {
          if (entry.state !== 'open') continue;
          entry.state = 'cut';
          entry.cut ??= `connection closed (${connection?.closed?.reason ?? event.reason}) before the response was complete`;
          this.changed(entry);
        }
        return;
      }
      default:
        return;
    }
  }

  exchange(event: ExchangeEvent): void {
    switch (event.kind) {
      case 'request-head':
        this.add(event.exchange);
        return;
      case 'request-end': {
        const entry = this.entries.get(event.exchange);
        const tap = this.taps.get(event.exchange.connection.id);
        const m = event.exchange.request;
        if (entry === undefined || tap === undefined || m === undefined) return;
        this.setBytes(entry, 'request', tap.client.take(m.offset, m.offset + m.wireSize));
        this.changed(entry);
        return;
      }
      case 'response-head': {
        const entry = this.entries.get(event.exchange) ?? this.add(event.exchange);
        this.changed(entry);
        return;
      }
      case 'response-end': {
        const ex = event.exchange;
        const entry = this.entries.get(ex) ?? this.add(ex);
        const tap = this.taps.get(ex.connection.id);
        const m = ex.response!;
        if (tap !== undefined) this.setBytes(entry, 'response', tap.server.take(ex.interim[0]?.offset ?? m.offset, m.offset + m.wireSize));
        entry.state = 'done';
        tap?.settle(entry);
        this.changed(entry);
        return;
      }
      case 'incomplete': {
        const ex = event.exchange;
        const entry = ex === undefined ? undefined : this.entries.get(ex);
        const tap = this.taps.get(event.connection.id);
        if (entry === undefined || tap === undefined) return;
        const side = event.from === 'client' ? 'request' : 'response';
        const stream = tap[event.from];
        const start = event.cut.part === 'body' ? event.cut.message.offset : stream.position - event.cut.bytes;
        this.setBytes(entry, side, stream.take(side === 'response' ? Math.min(start, ex!.interim[0]?.offset ?? start) : start, stream.position));
        entry.state = 'cut';
        entry.cut = event.cut.part === 'body'
          ? `connection closed in the middle of the ${side} body (${event.cut.message.bodySize} bytes of it arrived)`
          : `connection closed in the middle of the ${side} head (${event.cut.bytes} bytes of it arrived)`;
        tap.settle(entry);
        this.changed(entry);
        return;
      }
      default:
        return;
    }
  }

  private add(ex: Exchange): LiveEntry {
    const entry: LiveEntry = { no: this.nextNo++, exchange: ex, state: 'open', cut: undefined, request: undefined, response: undefined, weight: 0 };
    this.started ??= ex.request?.start ?? ex.response?.start;
    this.entries.set(ex, entry);
    this.taps.get(ex.connection.id)?.open.add(entry);
    const evicted = this.ring.push(entry);
    if (evicted !== undefined) this.held -= evicted.weight;
    this.reweigh(entry);
    for (const l of this.listeners) l(entry, 'add');
    return entry;
  }

  private setBytes(entry: LiveEntry, side: 'request' | 'response', taken: Taken): void {
    entry[side] = taken;
    this.reweigh(entry);
  }

  /** reweigh recounts what an entry holds and drops the oldest entries while over the budget. */
  private reweigh(entry: LiveEntry): void {
    const ex = entry.exchange;
    let w = 512 + (entry.request?.bytes.length ?? 0) + (entry.response?.bytes.length ?? 0);
    for (const m of [ex.request, ex.response]) {
      if (m === undefined) continue;
      w += m.headRaw.length;
      for (const b of m.body) w += b.length;
    }
    this.held += w - entry.weight;
    entry.weight = w;
    while (this.held > this.budget && this.ring.size > 1) this.held -= this.ring.shift()!.weight;
  }

  private changed(entry: LiveEntry): void {
    if (this.get(entry.no) !== entry) return; // already dropped from the ring
    this.reweigh(entry);
    for (const l of this.listeners) l(entry, 'update');
  }
}

/** ConnectionTap holds one connection's two byte streams and its exchanges still in progress. */
class ConnectionTap {
  readonly client: StreamTap;
  readonly server: StreamTap;
  readonly open = new Set<LiveEntry>();

  constructor(cap: number) {
    this.client = new StreamTap(cap);
    this.server = new StreamTap(cap);
  }

  settle(entry: LiveEntry): void {
    this.open.delete(entry);
  }
}
