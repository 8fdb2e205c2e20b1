import type { CookieAttributes, Session, SessionMiddleware } from '../session-types.js';
import { ServerSession } from './session.js';
import { newSessionId, randomToken, signId, unsignId } from './signing.js';
import { MemoryStore, type SessionStore } from './store.js';

/** Lifetime in the store of a session without `maxAgeSeconds`: one day after its last use. */
export const DEFAULT_IDLE_SECONDS = 86_400;

export interface SessionOptions {
  /**
   * Secret(s) for the HMAC that signs the cookie: the first signs, any is accepted (rotation). Default:
   * env SESSION_SECRET, else a random one per process, with a warning (logins then end on restart).
   */
  secret?: string | readonly string[];
  /** Where sessions live (default: a MemoryStore). */
  store?: SessionStore;
  /** Cookie name (default 'session'). */
  cookieName?: string;
  /** Secure attribute: default true exactly when the request came over TLS (or a trusted proxy says so). */
  secure?: boolean;
  /**
   * Lifetime in seconds: the cookie's Max-Age and the store's TTL, renewed on each change. Without it the
   * cookie lasts until the browser closes and the store forgets the session after a day unused.
   */
  maxAgeSeconds?: number;
}

/**
 * createSessions returns the session middleware for `new App({ session })`. The cookie carries only a
 * random id signed with HMAC-SHA256 (HttpOnly, SameSite=Lax, Path=/); the data stays in the store. A
 * tampered, unsigned or unknown id gets a fresh empty session. Set-Cookie is sent only when needed: a
 * session that gained data, changed id (regenerate) or was emptied (the cookie is then deleted).
 */
export function createSessions(options: SessionOptions = {}): SessionMiddleware {
  const secrets = resolveSecrets(options.secret);
  const store = options.store ?? new MemoryStore();
  const cookieName = options.cookieName ?? 'session';
  const maxAge = options.maxAgeSeconds;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge > 0)) throw new RangeError('createSessions: maxAgeSeconds must be a positive integer');
  const ttl = maxAge ?? DEFAULT_IDLE_SECONDS;

  return {
    async load(req): Promise<Session> {
      const raw = req.cookies[cookieName];
      const id = raw === undefined ? undefined : unsignId(raw, secrets);
      const data = id === undefined ? undefined : await store.get(id);
      // an id we do not hold is never reused, even when validly signed (a stale cookie): strict mode
      return new ServerSession(store, data === undefined ? newSessionId() : id!, data, { cookieSent: raw !== undefined, secure: req.secure });
    },

    async commit(session, setCookie): Promise<void> {
      if (!(session instanceof ServerSession)) throw new TypeError('session middleware: not a session it loaded');
      const attrs: CookieAttributes = { httpOnly: true, sameSite: 'lax', path: '/', secure: options.secure ?? session.state.secure };
      if (session.isEmpty) {
        if (session.stored) await store.destroy(session.id);
        session.stored = false;
        if (session.state.cookieSent) setCookie(cookieName, '', { ...attrs, maxAge: 0, expires: new Date(0) });
        return;
      }
      if (session.dirty || !session.stored) {
        await store.set(session.id, session.toData(), ttl);
        session.stored = true;
        if (session.idChanged || maxAge !== undefined) setCookie(cookieName, signId(session.id, secrets[0]!), maxAge === undefined ? attrs : { ...attrs, maxAge });
      } else {
        await store.touch(session.id, ttl);
      }
    },
  };
}

function resolveSecrets(secret: string | readonly string[] | undefined): readonly string[] {
  const given = secret ?? (process.env.SESSION_SECRET || undefined);
  if (given === undefined) {
    process.emitWarning('sessions: no secret (option or SESSION_SECRET): a random one is used, so sessions end when the process does and are not shared between instances', { code: 'WIREHTTP_SESSION_SECRET' });
    return [randomToken()];
  }
  const list = typeof given === 'string' ? [given] : [...given];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) throw new TypeError('createSessions: secret must be a non-empty string or a non-empty list of them');
  return list;
}
