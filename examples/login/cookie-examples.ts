import type { CookieAttributes } from '../../src/index.js';

/** CookieExample is one button on /cookies: a cookie set with one attribute, and what to look for. */
export interface CookieExample {
  readonly key: string;
  readonly label: string;
  readonly name: string;
  /** The attributes, given the request's host name and the app's mount prefix. */
  attrs(host: string, prefix: string): CookieAttributes;
  /** What the user should see happen (shown as a flash after the button). */
  readonly watch: string;
}

/** EXAMPLES: every attribute of RFC 6265bis §5.6 at work, one cookie each (all prefixed demo_). */
export const EXAMPLES: readonly CookieExample[] = [
  { key: 'session', label: 'No Expires or Max-Age', name: 'demo_plain', attrs: () => ({ path: '/' }), watch: 'demo_plain is a "session cookie": it lives until the browser is closed.' },
  { key: 'expires', label: 'Expires in one hour', name: 'demo_expires', attrs: () => ({ path: '/', expires: new Date(Date.now() + 3600_000) }), watch: 'demo_expires carries a date: the browser deletes it after that moment (by its own clock).' },
  { key: 'max-age', label: 'Max-Age=30', name: 'demo_max_age', attrs: () => ({ path: '/', maxAge: 30 }), watch: 'demo_max_age lasts 30 seconds from now: reload this page after that and it is gone. Max-Age wins over Expires.' },
  { key: 'path', label: 'Path=…/cookies/deeper', name: 'demo_path', attrs: (_h, prefix) => ({ path: `${prefix}/cookies/deeper` }), watch: 'demo_path is sent only to URLs under its Path: it is missing here, open the "deeper" page to see it.' },
  { key: 'domain', label: 'Domain=this host', name: 'demo_domain', attrs: (host) => ({ path: '/', domain: host }), watch: 'demo_domain names a Domain, so it would also go to subdomains of it (without Domain a cookie stays on the exact host). A browser refuses a Domain that is not the site or a parent of it.' },
  { key: 'secure', label: 'Secure', name: 'demo_secure', attrs: () => ({ path: '/', secure: true }), watch: 'demo_secure may only travel over HTTPS: a browser refuses to store it from a plain-HTTP page (except on localhost).' },
  { key: 'httponly', label: 'HttpOnly', name: 'demo_httponly', attrs: () => ({ path: '/', httpOnly: true }), watch: 'demo_httponly is in the table the server sees, but not in what the page\'s JavaScript sees: a script injected into the page could not steal it.' },
  { key: 'strict', label: 'SameSite=Strict', name: 'demo_strict', attrs: () => ({ path: '/', sameSite: 'strict' }), watch: 'demo_strict is not sent when another site links or posts here, not even on a plain link click.' },
  { key: 'lax', label: 'SameSite=Lax', name: 'demo_lax', attrs: () => ({ path: '/', sameSite: 'lax' }), watch: 'demo_lax is sent when the user follows a link from another site (top-level GET), never on cross-site POSTs, images or fetches: the default in modern browsers.' },
  { key: 'none', label: 'SameSite=None; Secure', name: 'demo_none', attrs: () => ({ path: '/', sameSite: 'none', secure: true }), watch: 'demo_none goes with cross-site requests too (embeds, third-party); browsers demand Secure with it, so over plain HTTP it is refused.' },
];

/** ATTRIBUTES: what the /cookies page explains, in the order of the Set-Cookie grammar. */
export const ATTRIBUTES: ReadonlyArray<{ name: string; example: string; meaning: string }> = [
  { name: 'Expires', example: 'Expires=Wed, 21 Oct 2026 07:28:00 GMT', meaning: 'Delete the cookie after this date. Without Expires or Max-Age it is a session cookie, deleted when the browser closes.' },
  { name: 'Max-Age', example: 'Max-Age=3600', meaning: 'Delete the cookie this many seconds from now; 0 deletes it at once (how a server logs you out of a cookie). Wins over Expires.' },
  { name: 'Path', example: 'Path=/login', meaning: 'Send the cookie only with requests whose path is at or under this one. Use Path=/ for the whole site.' },
  { name: 'Domain', example: 'Domain=example.com', meaning: 'Send the cookie to this host and its subdomains. Without it the cookie is host-only, which is tighter.' },
  { name: 'Secure', example: 'Secure', meaning: 'Send the cookie only over HTTPS, so nobody on the network path can read it.' },
  { name: 'HttpOnly', example: 'HttpOnly', meaning: 'Hide the cookie from JavaScript (document.cookie): an injected script cannot steal a session cookie.' },
  { name: 'SameSite', example: 'SameSite=Lax', meaning: 'Whether requests started by other sites carry the cookie: Strict never, Lax only for top-level link navigation, None always (needs Secure). Stops most CSRF.' },
];
