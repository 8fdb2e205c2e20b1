/**
 * SetCookie is one Set-Cookie field parsed per RFC 6265 §5.2 (the user-agent algorithm, which is
 * lenient where the server grammar of §4.1 is strict). Attributes keep only their last occurrence.
 */
export interface SetCookie {
  name: string;
  value: string;
  /** Expires attribute as ms since the epoch, when present and parsable (§5.2.1). */
  expires?: number;
  /** Max-Age in seconds (may be ≤ 0: delete now), when present and valid (§5.2.2). */
  maxAge?: number;
  /** Domain attribute lower-cased without a leading dot (§5.2.3); '' when the attribute was empty. */
  domain?: string;
  /** Path attribute when it starts with '/' (§5.2.4). */
  path?: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

/**
 * parseSetCookie parses one Set-Cookie field value; returns undefined when §5.2 says to ignore it
 * (no '=' in the name-value pair, or an empty name).
 */
export function parseSetCookie(header: string): SetCookie | undefined {
  const semi = header.indexOf(';');
  const pair = semi < 0 ? header : header.slice(0, semi);
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === '') return undefined;
  const cookie: SetCookie = { name, value, secure: false, httpOnly: false };
  let rest = semi < 0 ? '' : header.slice(semi + 1);
  while (rest !== '') {
    const next = rest.indexOf(';');
    const av = next < 0 ? rest : rest.slice(0, next);
    rest = next < 0 ? '' : rest.slice(next + 1);
    const aeq = av.indexOf('=');
    const attr = (aeq < 0 ? av : av.slice(0, aeq)).trim().toLowerCase();
    const val = aeq < 0 ? '' : av.slice(aeq + 1).trim();
    switch (attr) {
      case 'expires': {
        const t = parseCookieDate(val);
        if (t !== undefined) cookie.expires = t;
        break;
      }
      case 'max-age':
        if (/^-?[0-9]+$/.test(val)) cookie.maxAge = Number(val);
        break;
      case 'domain':
        cookie.domain = (val.startsWith('.') ? val.slice(1) : val).toLowerCase();
        break;
      case 'path':
        if (val.startsWith('/')) cookie.path = val;
        else delete cookie.path;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite': {
        const v = val.toLowerCase();
        if (v === 'strict') cookie.sameSite = 'Strict';
        else if (v === 'lax') cookie.sameSite = 'Lax';
        else if (v === 'none') cookie.sameSite = 'None';
        break;
      }
      default:
        break;
    }
  }
  return cookie;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isDelimiter(c: number): boolean {
  // %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E (§5.1.1)
  return c === 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/**
 * parseCookieDate implements the cookie-date algorithm of RFC 6265 §5.1.1 (it accepts the many
 * formats servers really send). Returns ms since the epoch, or undefined for an invalid date.
 */
export function parseCookieDate(input: string): number | undefined {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= input.length; i++) {
    const delim = i === input.length || isDelimiter(input.charCodeAt(i));
    if (!delim && start < 0) start = i;
    else if (delim && start >= 0) {
      tokens.push(input.slice(start, i));
      start = -1;
    }
  }
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  for (const token of tokens) {
    if (time === undefined) {
      const m = /^([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?$/.exec(token);
      if (m !== null) {
        time = [Number(m[1]), Number(m[2]), Number(m[3])];
        continue;
      }
    }
    if (day === undefined) {
      const m = /^([0-9]{1,2})(?:[^0-9].*)?$/.exec(token);
      if (m !== null) {
        day = Number(m[1]);
        continue;
      }
    }
    if (month === undefined) {
      const i = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
      if (i >= 0 && token.length >= 3) {
        month = i;
        continue;
      }
    }
    if (year === undefined) {
      const m = /^([0-9]{2,4})(?:[^0-9].*)?$/.exec(token);
      if (m !== null) {
        year = Number(m[1]);
        continue;
      }
    }
  }
  if (year !== undefined && year >= 70 && year <= 99) year += 1900;
  else if (year !== undefined && year >= 0 && year <= 69) year += 2000;
  if (time === undefined || day === undefined || month === undefined || year === undefined) return undefined;
  if (day < 1 || day > 31 || year < 1601 || time[0] > 23 || time[1] > 59 || time[2] > 59) return undefined;
  const t = Date.UTC(year, month, day, time[0], time[1], time[2]);
  // Reject dates that overflowed the month (e.g. Feb 31).
  if (new Date(t).getUTCDate() !== day) return undefined;
  return t;
}
