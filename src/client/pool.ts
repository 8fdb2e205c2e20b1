import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Connection, abortError } from './connection.js';
import type { ClientError } from './errors.js';
import type { ClientObserver, TlsOptions } from './types.js';

/** AgentOptions configure connection reuse. */
export interface AgentOptions {
  /** Keep connections open between requests (default true). false sends `Connection: close`. */
  keepAlive?: boolean;
  /** Most connections per origin, busy or idle (default 6). Further requests wait for one. */
  maxConnectionsPerOrigin?: number;
  /** Close a pooled connection after it was idle this long, ms (default 4000). */
  idleTimeout?: number;
  /**
   * Requests that may be outstanding on one connection (default 1: no pipelining). Only idempotent
   * requests without a streamed body are pipelined (RFC 9112 §9.3.2).
   */
  pipelining?: number;
  /** Sees every connection's bytes and lifecycle. */
  observer?: ClientObserver;
}

/** Lease is a connection handed to one request. */
export interface Lease {
  conn: Connection;
  /** True when the connection carried an earlier request (taken from the pool or pipelined). */
  reused: boolean;
}

export interface AcquireOptions {
  url: URL;
  tls?: TlsOptions | undefined;
  connectTimeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The request may be pipelined behind others. */
  pipelinable: boolean;
  /** Never take a pooled connection (used for the retry after a stale one). */
  fresh?: boolean;
}

interface Waiter {
  resolve: (lease: Lease) => void;
  reject: (error: ClientError) => void;
  options: AcquireOptions;
}

interface OriginPool {
  readonly all: Set<Connection>;
  /** Idle connections, most recently used last (taken LIFO so the warmest is re-used). */
  readonly idle: Connection[];
  readonly waiters: Waiter[];
  opening: number;
}

const idleTimers = new WeakMap<Connection, NodeJS.Timeout>();

/**
 * Agent pools connections per origin (and TLS settings) with keep-alive reuse, an idle timeout and
 * optional pipelining. One Agent is shared by all requests that pass it; `defaultAgent` otherwise.
 */
export class Agent {
  readonly keepAlive: boolean;
  readonly maxConnectionsPerOrigin: number;
  readonly idleTimeout: number;
  readonly pipelining: number;
  readonly observer: ClientObserver | undefined;
  /** Connections opened by this agent so far (curl's num_connects, summed). */
  connectionsOpened = 0;
  private nextId = 0;
  private readonly pools = new Map<string, OriginPool>();

  constructor(options: AgentOptions = {}) {
    this.keepAlive = options.keepAlive ?? true;
    this.maxConnectionsPerOrigin = Math.max(1, options.maxConnectionsPerOrigin ?? 6);
    this.idleTimeout = options.idleTimeout ?? 4000;
    this.pipelining = Math.max(1, options.pipelining ?? 1);
    this.observer = options.observer;
  }

  /** acquire returns a connection for `url`'s origin: a pooled one, a pipelinable busy one, or a new one. */
  acquire(options: AcquireOptions): Promise<Lease> {
    if (options.signal?.aborted === true) return Promise.reject(abortError(options.signal));
    const key = poolKey(options.url, options.tls);
    const pool = this.pool(key);
    if (options.fresh !== true) {
      const lease = this.takeExisting(pool, options);
      if (lease !== undefined) return Promise.resolve(lease);
    }
    if (pool.all.size + pool.opening < this.maxConnectionsPerOrigin || options.fresh === true) return this.open(pool, options);
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, options };
      pool.waiters.push(waiter);
      options.signal?.addEventListener(
        'abort',
        () => {
          const i = pool.waiters.indexOf(waiter);
          if (i >= 0) pool.waiters.splice(i, 1);
          reject(abortError(options.signal));
        },
        { once: true },
      );
    });
  }

  /** idleCount returns how many pooled idle connections exist for `url`'s origin (for tests and -v). */
  idleCount(url: URL, tls?: TlsOptions): number {
    return this.pools.get(poolKey(url, tls))?.idle.length ?? 0;
  }

  /** close destroys every connection and fails waiting requests' acquisition. */
  close(): void {
    for (const pool of this.pools.values()) {
      for (const conn of [...pool.all]) conn.closeNow('agent-close');
      for (const w of pool.waiters.splice(0)) w.reject(abortError(undefined));
    }
    this.pools.clear();
  }

  private pool(key: string): OriginPool {
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = { all: new Set(), idle: [], waiters: [], opening: 0 };
      this.pools.set(key, pool);
    }
    return pool;
  }

  private takeExisting(pool: OriginPool, options: AcquireOptions): Lease | undefined {
    while (pool.idle.length > 0) {
      const conn = pool.idle.pop()!;
      this.unpark(conn);
      if (conn.closed) continue;
      this.observer?.reuse?.(conn.info, performance.now());
      return { conn, reused: true };
    }
    if (this.pipelining > 1 && options.pipelinable) {
      for (const conn of pool.all) {
        if (!conn.closed && conn.keepAlive && !conn.writing && conn.pending > 0 && conn.pending < this.pipelining) {
          this.observer?.reuse?.(conn.info, performance.now());
          return { conn, reused: true };
        }
      }
    }
    return undefined;
  }

  private async open(pool: OriginPool, options: AcquireOptions): Promise<Lease> {
    const url = options.url;
    const secure = url.protocol === 'https:';
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    pool.opening++;
    try {
      const conn = await Connection.open({
        id: this.nextId++,
        host: url.hostname,
        port,
        secure,
        origin: url.origin,
        tls: options.tls,
        connectTimeout: options.connectTimeout,
        observer: this.observer,
        signal: options.signal,
      });
      this.connectionsOpened++;
      pool.all.add(conn);
      conn.onIdle = (c) => this.release(pool, c);
      conn.onClosed = (c) => this.forget(pool, c);
      return { conn, reused: false };
    } finally {
      pool.opening--;
    }
  }

  private release(pool: OriginPool, conn: Connection): void {
    if (!this.keepAlive || !conn.keepAlive) {
      conn.destroy('client-close');
      return;
    }
    const waiter = pool.waiters.shift();
    if (waiter !== undefined) {
      this.observer?.reuse?.(conn.info, performance.now());
      waiter.resolve({ conn, reused: true });
      return;
    }
    pool.idle.push(conn);
    conn.socket.unref();
    idleTimers.set(
      conn,
      setTimeout(() => conn.destroy('idle-timeout'), this.idleTimeout).unref(),
    );
  }

  private unpark(conn: Connection): void {
    const timer = idleTimers.get(conn);
    if (timer !== undefined) clearTimeout(timer);
    idleTimers.delete(conn);
    conn.socket.ref();
  }

  private forget(pool: OriginPool, conn: Connection): void {
    this.unpark(conn);
    pool.all.delete(conn);
    const i = pool.idle.indexOf(conn);
    if (i >= 0) pool.idle.splice(i, 1);
    // A slot freed up: open a connection for the next waiter.
    const waiter = pool.waiters.shift();
    if (waiter !== undefined) this.open(pool, waiter.options).then(waiter.resolve, waiter.reject);
  }
}

function poolKey(url: URL, tls: TlsOptions | undefined): string {
  if (url.protocol !== 'https:' || tls === undefined) return url.origin;
  const h = createHash('sha1');
  const cas = tls.ca === undefined ? [] : Array.isArray(tls.ca) ? tls.ca : [tls.ca];
  for (const ca of cas) h.update(ca);
  if (tls.cert !== undefined) h.update(tls.cert);
  return `${url.origin}|${tls.rejectUnauthorized === false ? 'k' : 'v'}|${tls.servername ?? ''}|${tls.minVersion ?? ''}|${h.digest('hex')}`;
}

/** defaultAgent is used by request() when no agent is given. */
export const defaultAgent = new Agent();
