// The seam between the app core and sessions (src/app/session/ implements it; App only calls it).

/**
 * CookieAttributes are the Set-Cookie attributes of RFC 6265bis §5.6, serialised by the `cookie`
 * package. `maxAge` is in seconds; `sameSite: true` means Strict.
 */
export interface CookieAttributes {
  expires?: Date;
  maxAge?: number;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
}

/**
 * Session is one client's server-side state, loaded before the handlers run and committed before the
 * response head is written. `regenerate()` gives the session a fresh id (call it on login: session
 * fixation defence); `destroy()` deletes it from the store and starts an empty one (logout); `flash()`
 * queues a message for the next page, `takeFlashes()` returns and clears them; `csrfToken()` is the
 * token forms embed and `verifyCsrf()` checks a submitted one.
 */
export interface Session {
  readonly id: string;
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  clear(): void;
  regenerate(): void | Promise<void>;
  destroy(): void | Promise<void>;
  flash(message: string, category?: string): void;
  takeFlashes(): string[];
  csrfToken(): string;
  verifyCsrf(token: string | null | undefined): boolean;
}

/** SessionMiddleware loads a session from the request's cookies and commits it with Set-Cookie. */
export interface SessionMiddleware {
  load(req: { cookies: Record<string, string>; secure: boolean }): Promise<Session>;
  commit(session: Session, setCookie: (name: string, value: string, attrs: CookieAttributes) => void): Promise<void>;
}
