import { createHash, timingSafeEqual } from 'node:crypto';
import type { Session } from '../session-types.js';
import { newSessionId, randomToken } from './signing.js';
import type { SessionData, SessionStore } from './store.js';

const CSRF_KEY = '_csrf';
const FLASH_KEY = '_flashes';

/** Flash is one queued message; `category` is free text ('message' by default, as in Flask). */
export interface Flash {
  message: string;
  category: string;
}

/** What the middleware knew when it loaded the session, and needs again to commit it. */
export interface LoadState {
  /** The client sent a session cookie (valid or not). */
  readonly cookieSent: boolean;
  /** The request came over TLS (or a trusted proxy says so). */
  readonly secure: boolean;
}

/**
 * ServerSession is one client's session: data kept in a SessionStore under an unguessable id, the id
 * sent to the client in a signed cookie. Changes are remembered (`dirty`) and written once, at commit.
 */
export class ServerSession implements Session {
  private currentId: string;
  private data: Map<string, unknown>;
  /** The data has changed since it was loaded. */
  dirty = false;
  /** The store holds an entry under the current id. */
  stored: boolean;
  /** The id is not the one the client holds: the cookie must be (re)sent. */
  idChanged: boolean;

  constructor(
    private readonly store: SessionStore,
    id: string,
    data: SessionData | undefined,
    readonly state: LoadState,
  ) {
    this.currentId = id;
    this.data = new Map(Object.entries(data ?? {}));
    this.stored = data !== undefined;
    this.idChanged = data === undefined;
  }

  get id(): string {
    return this.currentId;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.data.set(key, value);
    this.dirty = true;
  }

  delete(key: string): void {
    if (this.data.delete(key)) this.dirty = true;
  }

  clear(): void {
    if (this.data.size > 0) this.dirty = true;
    this.data.clear();
  }

  /** isEmpty: nothing to keep (an empty session is neither stored nor given a cookie). */
  get isEmpty(): boolean {
    return this.data.size === 0;
  }

  /** toData is the data as the store keeps it. */
  toData(): SessionData {
    return Object.fromEntries(this.data);
  }

  /**
   * regenerate moves the data to a fresh id and deletes the old entry: call it when privileges change
   * (login), so an id planted by an attacker before login is worthless after (session fixation,
   * OWASP Session Management). The CSRF token is renewed too.
   */
  async regenerate(): Promise<void> {
    await this.dropStored();
    this.currentId = newSessionId();
    this.idChanged = true;
    this.data.delete(CSRF_KEY);
    this.dirty = true;
  }

  /** destroy deletes the session from the store and leaves an empty one with a fresh id (logout). */
  async destroy(): Promise<void> {
    await this.dropStored();
    this.currentId = newSessionId();
    this.idChanged = true;
    this.data.clear();
    this.dirty = true;
  }

  flash(message: string, category = 'message'): void {
    const list = (this.data.get(FLASH_KEY) as Flash[] | undefined) ?? [];
    this.set(FLASH_KEY, [...list, { message, category }]);
  }

  /** takeFlashes returns the queued messages and clears them. */
  takeFlashes(): string[] {
    return this.takeFlashEntries().map((f) => f.message);
  }

  /** takeFlashEntries returns the queued messages with their categories and clears them. */
  takeFlashEntries(): Flash[] {
    const list = this.data.get(FLASH_KEY) as Flash[] | undefined;
    if (list === undefined) return [];
    this.delete(FLASH_KEY);
    return Array.isArray(list) ? list : [];
  }

  /** csrfToken is this session's anti-CSRF token (made on first use), for a hidden form field. */
  csrfToken(): string {
    const token = this.data.get(CSRF_KEY);
    if (typeof token === 'string') return token;
    const made = randomToken();
    this.set(CSRF_KEY, made);
    return made;
  }

  /** verifyCsrf checks a submitted token against the session's, in constant time. */
  verifyCsrf(token: string | null | undefined): boolean {
    const expected = this.data.get(CSRF_KEY);
    if (typeof expected !== 'string' || typeof token !== 'string' || token === '') return false;
    // hashing first gives equal lengths, so the comparison time says nothing about the token
    return timingSafeEqual(digest(expected), digest(token));
  }

  private async dropStored(): Promise<void> {
    if (this.stored) await this.store.destroy(this.currentId);
    this.stored = false;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
