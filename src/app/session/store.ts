/**
 * SessionStoreError: the configured store cannot be used (EBADURL: a store URL that is neither
 * 'memory' nor redis://…; ECONNECT: the first connection failed). The message is one line, fit for a
 * terminal; the client's own error is the cause.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  constructor(
    readonly code: 'EBADURL' | 'ECONNECT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SessionData is what a store keeps for one session: JSON-serialisable values by key. */
export type SessionData = Record<string, unknown>;

/**
 * SessionStore keeps session data on the server, by session id, for `ttlSeconds` after the last write
 * or touch. Values go through JSON (a Date comes back as a string), as they would through Redis.
 */
export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>;
  set(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /** touch extends the lifetime of an unchanged session (idle timeout). */
  touch(id: string, ttlSeconds: number): Promise<void>;
  close?(): Promise<void>;
}

export interface MemoryStoreOptions {
  /** At most this many sessions (default 10,000): past it the least recently written one is dropped. */
  maxEntries?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

interface Entry {
  json: string;
  expires: number;
}

/**
 * MemoryStore keeps sessions in this process: the default, fine for one instance (sessions are lost on
 * restart and not shared between instances; use RedisStore for that). Bounded by `maxEntries`, so a
 * client minting sessions cannot exhaust memory; expired entries are dropped when read or when full.
 */
export class MemoryStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!(this.maxEntries >= 1)) throw new RangeError('MemoryStore: maxEntries must be at least 1');
    this.now = options.now ?? Date.now;
  }

  /** size is the number of entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return JSON.parse(entry.json) as SessionData;
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(data);
    // delete first: Map order then says which session was written least recently
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.makeRoom();
    this.entries.set(id, { json, expires: this.now() + ttlSeconds * 1000 });
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async touch(id: string, ttlSeconds: number): Promise<void> {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.expires <= this.now()) return;
    this.entries.delete(id);
    this.entries.set(id, { json: entry.json, expires: this.now() + ttlSeconds * 1000 });
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private makeRoom(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expires <= now) this.entries.delete(id);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
