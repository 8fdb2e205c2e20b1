import { performance } from 'node:perf_hooks';

/**
 * Timings are milliseconds since the request started (performance.now()-based), cumulative like
 * curl's -w times: `connect` includes `lookup`, `tls` includes `connect`, and so on. A phase that did
 * not happen (no DNS for an IP literal, no TLS on http:, everything on a re-used connection) equals
 * the previous phase, so differences between neighbours give each phase's own duration.
 */
export interface Timings {
  /** performance.now() when request() was called for this hop. */
  readonly start: number;
  /** DNS lookup finished (curl time_namelookup). */
  lookup: number;
  /** TCP connected (curl time_connect). */
  connect: number;
  /** TLS handshake finished (curl time_appconnect; 0 on plain HTTP like curl). */
  tls: number;
  /** The request head was fully written (curl time_pretransfer is close to this). */
  requestSent: number;
  /** First byte of the response arrived (curl time_starttransfer). */
  firstByte: number;
  /** The final response head was parsed. */
  head: number;
  /** The body ended (curl time_total); until then the time elapsed so far. */
  total: number;
}

/** TimingRecorder fills a Timings object as events happen. */
export class TimingRecorder {
  readonly timings: Timings;
  private ended = false;

  constructor(start = performance.now()) {
    this.timings = { start, lookup: 0, connect: 0, tls: 0, requestSent: 0, firstByte: 0, head: 0, total: 0 };
  }

  /** now returns ms since start. */
  now(): number {
    return performance.now() - this.timings.start;
  }

  /** connected copies the phases of a freshly opened connection (absolute performance.now() times). */
  connected(phases: { lookup?: number; connect?: number; tls?: number }): void {
    const t = this.timings;
    const rel = (abs: number | undefined, prev: number): number => (abs === undefined ? prev : Math.max(prev, abs - t.start));
    t.lookup = rel(phases.lookup, 0);
    t.connect = rel(phases.connect, t.lookup);
    t.tls = phases.tls === undefined ? 0 : rel(phases.tls, t.connect);
  }

  /** reused marks a connection taken from the pool: no lookup, connect or handshake happened. */
  reused(): void {
    const t = this.timings;
    t.lookup = t.connect = t.tls = 0;
  }

  sent(): void {
    this.timings.requestSent = this.now();
  }

  firstByte(): void {
    if (this.timings.firstByte === 0) this.timings.firstByte = this.now();
  }

  head(): void {
    this.firstByte();
    this.timings.head = this.now();
  }

  /** end freezes `total`; later calls are ignored. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.timings.total = this.now();
  }
}

/** seconds formats milliseconds as seconds with six decimals, as curl's -w does. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}
