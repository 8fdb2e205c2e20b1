import { parseCookie, stringifySetCookie } from 'cookie';
import { HttpError } from '../server/http-error.js';
import type { CookieAttributes } from './session-types.js';

export type { CookieAttributes };

/**
 * serializeCookie builds a Set-Cookie value with the `cookie` package (the value is percent-encoded,
 * the name and attributes validated). A name, domain or path it refuses becomes HttpError 500, not
 * exposed: it is a server bug, and the field is never sent.
 */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  try {
    return stringifySetCookie(name, value, attrs);
  } catch (error) {
    throw new HttpError(500, 'Invalid cookie', { cause: error, expose: false });
  }
}

/**
 * parseCookies reads every Cookie field of a request (RFC 6265 §5.4: a client sends one, but HTTP/2
 * gateways may split it) into name -> value, percent-decoded. The first occurrence of a name wins.
 */
export function parseCookies(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const field of fields) {
    const parsed = parseCookie(field);
    for (const name of Object.keys(parsed)) {
      const value = parsed[name];
      if (value !== undefined && !(name in out)) out[name] = value;
    }
  }
  return out;
}
