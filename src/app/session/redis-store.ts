import { SessionStoreError, type SessionData, type SessionStore } from './store.js';

/**
 * RedisCommands is the part of a `redis` (node-redis) client the store uses, so a client the caller
 * already has can be passed in.
 */
export interface RedisCommands {
  get(key: string): Promise<string | null | unknown>;
  set(key: string, value: string, options: { expiration: { type: 'EX'; value: number } }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  close?(): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Key prefix (default 'wirehttp:sess:'), so several apps can share one Redis. */
  prefix?: string;
}

/**
 * RedisStore keeps sessions in Redis, so several instances of an app share logins: each session is one
 * string key holding JSON, written with SET … EX so Redis expires it (no sweeping here).
 */
export class RedisStore implements SessionStore {
  private readonly prefix: string;
  constructor(
    private readonly client: RedisCommands,
    options: RedisStoreOptions = {},
    private readonly owned = false,
  ) {
    this.prefix = options.prefix ?? 'wirehttp:sess:';
  }

  async get(id: string): Promise<SessionData | undefined> {
    const raw = await this.client.get(this.prefix + id);
    if (typeof raw !== 'string') return undefined;
    try {
      const data: unknown = JSON.parse(raw);
      return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as SessionData) : undefined;
    } catch {
      return undefined; // not ours, or corrupted: a fresh session rather than a 500
    }
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    await this.client.set(this.prefix + id, JSON.stringify(data), { expiration: { type: 'EX', value: ttlSeconds } });
  }

  async destroy(id: string): Promise<void> {
    await this.client.del(this.prefix + id);
  }

  async touch(id: string, ttlSeconds: number): Promise<void> {
    await this.client.expire(this.prefix + id, ttlSeconds);
  }

  /** close disconnects the client when this store created it (createRedisStore). */
  async close(): Promise<void> {
    if (this.owned) await this.client.close?.();
  }
}

export interface CreateRedisStoreOptions extends RedisStoreOptions {
  /** Milliseconds to wait for the first connection (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * createRedisStore connects to `url` (redis://[user:pass@]host:port[/db], or rediss:// for TLS) with
 * the `redis` package and returns a store that owns the client (close() disconnects). The first
 * connection must succeed (SessionStoreError ECONNECT otherwise); later drops are retried in the background, and
 * requests fail with a 500 meanwhile.
 */
export async function createRedisStore(url: string, options: CreateRedisStoreOptions = {}): Promise<RedisStore> {
  // loaded on demand: apps on the memory store never pay for the client
  const { createClient } = await import('redis');
  let connected = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // before the first connection a failure is final (connect() rejects); after it, retry with backoff
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 3000) : cause),
    },
  });
  // without a listener an 'error' event would crash the process; failures reach callers as rejections
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const cause = (error as { originalError?: Error }).originalError ?? error;
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    throw new SessionStoreError('ECONNECT', `session store: cannot connect to ${shown}: ${(cause as Error).message}`, { cause: error });
  }
  connected = true;
  return new RedisStore(client as unknown as RedisCommands, options, true);
}
