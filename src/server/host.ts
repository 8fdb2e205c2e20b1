/**
 * Host field checks (RFC 9112 §3.2: a Host with an invalid value is a 400; RFC 9110 §7.2: Host =
 * uri-host [ ":" port ], uri-host from RFC 3986 §3.2.2).
 */

/** isValidHost reports whether `value` is `reg-name`, `IPv4` or `[IPv6]`, optionally `:port`. Empty is allowed (RFC 9110 §7.2). */
export function isValidHost(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  let i = 0;
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf(']');
    if (close < 2) return false;
    for (let j = 1; j < close; j++) {
      const c = value.charCodeAt(j);
      // IP-literal: hex digits, colons, dots (IPv4 tail), and the IPvFuture/zone characters
      if (!(isAlnum(c) || c === 0x3a || c === 0x2e || c === 0x25 || c === 0x2d || c === 0x5f || c === 0x7e)) return false;
    }
    i = close + 1;
  } else {
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x3a /* : */) break;
      if (!isRegNameChar(c)) return false;
    }
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== 0x3a) return false;
  if (n - i - 1 > 5) return false;
  for (let j = i + 1; j < n; j++) if (!isDigit(value.charCodeAt(j))) return false;
  return true;
}

/** authorityOf returns the authority of an absolute-form target (`http://a.example:8080/p` -> `a.example:8080`). */
export function authorityOf(target: string): string {
  const start = target.indexOf('://') + 3;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    end++;
  }
  const authority = target.slice(start, end);
  const at = authority.lastIndexOf('@'); // userinfo is not part of the host
  return at === -1 ? authority : authority.slice(at + 1);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}
/** reg-name = *( unreserved / pct-encoded / sub-delims ), one flag per ASCII code (every request has a Host). */
const REG_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isAlnum(c) || "-._~%!$&'()*+,;=".includes(String.fromCharCode(c))) REG_NAME[c] = 1;
function isRegNameChar(c: number): boolean {
  return c < 128 && REG_NAME[c] === 1;
}
