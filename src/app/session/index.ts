// Public surface of app/session: server-side sessions behind a signed cookie.
import { createRedisStore } from './redis-store.js';
import { MemoryStore, SessionStoreError, type SessionStore } from './store.js';

export { createSessions, DEFAULT_IDLE_SECONDS, type SessionOptions } from './sessions.js';
export { ServerSession, type Flash } from './session.js';
export { MemoryStore, SessionStoreError, type MemoryStoreOptions, type SessionStore, type SessionData } from './store.js';
export { RedisStore, createRedisStore, type RedisCommands, type RedisStoreOptions, type CreateRedisStoreOptions } from './redis-store.js';
export { signId, unsignId } from './signing.js';

/**
 * createStoreFromUrl picks a store from configuration (e.g. env SESSION_STORE): 'memory' (or empty) for
 * a MemoryStore, `redis://…` or `rediss://…` for a connected RedisStore. SessionStoreError EBADURL for
 * anything else, ECONNECT when Redis does not answer.
 */
export async function createStoreFromUrl(url: string | undefined): Promise<SessionStore> {
  if (url === undefined || url === '' || url === 'memory') return new MemoryStore();
  if (/^rediss?:\/\//i.test(url)) return createRedisStore(url);
  throw new SessionStoreError('EBADURL', `session store: expected 'memory' or redis://host:port, got '${url.replace(/\/\/[^@/]*@/, '//***@')}'`);
}
