import { isIP } from 'node:net';
import { parseSetCookie } from './set-cookie.js';

/** StoredCookie is a cookie in the jar (RFC 6265 §5.3 storage model, trimmed to what we use). */
export interface StoredCookie {
  name: string;
  value: string;
  /** Lower-case host (host-only) or domain the cookie belongs to, without a leading dot. */
  domain: string;
  /** False for host-only cookies: sent to `domain` exactly, not to its subdomains. */
  includeSubdomains: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** ms since the epoch; undefined for a session cookie. */
  expires: number | undefined;
  /** Creation order, for the Cookie header's ordering (§5.4 step 2). */
  created: number;
}

/**
 * CookieJar stores cookies from Set-Cookie responses and produces Cookie headers for requests
 * (RFC 6265 §5.3 and §5.4). There is no public-suffix list: a Domain attribute is accepted when the
 * request host domain-matches it and it has a dot (so `Domain=com` is refused) — good enough for a
 * command-line client, and documented here as a deliberate simplification.
 */
export class CookieJar {
  private cookies: StoredCookie[] = [];
  private counter = 0;

  /** setCookie stores one Set-Cookie field received from `url`; returns whether it was stored. */
  setCookie(header: string, url: URL, now = Date.now()): boolean {
    const parsed = parseSetCookie(header);
    if (parsed === undefined) return false;
    const host = canonicalHost(url.hostname);
    let domain = host;
    let includeSubdomains = false;
    if (parsed.domain !== undefined && parsed.domain !== '') {
      if (!domainMatch(host, parsed.domain)) return false;
      if (!parsed.domain.includes('.') && parsed.domain !== host) return false;
      domain = parsed.domain;
      includeSubdomains = isIP(host) === 0;
    }
    if (parsed.secure && url.protocol !== 'https:' && !isLoopback(host)) return false;
    let expires: number | undefined;
    if (parsed.maxAge !== undefined) expires = parsed.maxAge <= 0 ? 0 : now + parsed.maxAge * 1000;
    else if (parsed.expires !== undefined) expires = parsed.expires;
    const cookie: StoredCookie = {
      name: parsed.name,
      value: parsed.value,
      domain,
      includeSubdomains,
      path: parsed.path ?? defaultPath(url.pathname),
      secure: parsed.secure,
      httpOnly: parsed.httpOnly,
      expires,
      created: 0,
    };
    this.put(cookie, now);
    return true;
  }

  /** put adds or replaces a cookie (same name, domain and path), or removes it when it is expired. */
  put(cookie: StoredCookie, now = Date.now()): void {
    const i = this.cookies.findIndex((c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path);
    const expired = cookie.expires !== undefined && cookie.expires <= now;
    if (i >= 0) {
      cookie.created = this.cookies[i]!.created;
      if (expired) this.cookies.splice(i, 1);
      else this.cookies[i] = cookie;
    } else if (!expired) {
      cookie.created = this.counter++;
      this.cookies.push(cookie);
    }
  }

  /** cookieHeader returns the Cookie field value for a request to `url`, or undefined when none apply. */
  cookieHeader(url: URL, now = Date.now()): string | undefined {
    const host = canonicalHost(url.hostname);
    const path = url.pathname || '/';
    const secure = url.protocol === 'https:' || isLoopback(host);
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    const matching = this.cookies.filter(
      (c) => (c.includeSubdomains ? domainMatch(host, c.domain) : host === c.domain) && pathMatch(path, c.path) && (!c.secure || secure),
    );
    if (matching.length === 0) return undefined;
    matching.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** all returns the stored cookies (expired ones removed). */
  all(now = Date.now()): StoredCookie[] {
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies.slice();
  }

  get size(): number {
    return this.cookies.length;
  }
}

/** domainMatch implements RFC 6265 §5.1.3. */
export function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return isIP(host) === 0 && isIP(domain) === 0 && host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 0x2e;
}

/** pathMatch implements RFC 6265 §5.1.4. */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charCodeAt(cookiePath.length) === 0x2f;
}

/** defaultPath implements RFC 6265 §5.1.4's default-path. */
export function defaultPath(uriPath: string): string {
  if (!uriPath.startsWith('/')) return '/';
  const last = uriPath.lastIndexOf('/');
  return last <= 0 ? '/' : uriPath.slice(0, last);
}

function canonicalHost(hostname: string): string {
  const h = hostname.toLowerCase();
  return h.startsWith('[') ? h.slice(1, -1) : h;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1';
}
