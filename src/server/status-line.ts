import { isValidHeaderValue, STATUS_REASONS } from '../wire/index.js';

/** Status lines are the same bytes for every response with that status: build each string once. */
const cache11 = new Map<number, string>();
const cache10 = new Map<number, string>();

/** statusLine returns `HTTP/1.x CODE REASON\r\n`, cached when the reason is the standard one. */
export function statusLine(versionMinor: 0 | 1, status: number, reason: string | undefined): string {
  const cache = versionMinor === 1 ? cache11 : cache10;
  if (reason === undefined) {
    // the common case first: STATUS_REASONS has sparse numeric keys, a slow lookup for V8
    const known = cache.get(status);
    if (known !== undefined) return known;
  }
  const standard = STATUS_REASONS[status] ?? '';
  // a reason with CR, LF or other controls would split the response: the standard one goes out instead
  if (reason !== undefined && reason !== standard && isValidHeaderValue(reason)) {
    return `HTTP/1.${versionMinor} ${status} ${reason}\r\n`;
  }
  let line = cache.get(status);
  if (line === undefined) {
    line = `HTTP/1.${versionMinor} ${status} ${standard}\r\n`;
    cache.set(status, line);
  }
  return line;
}

/** bodyForbidden reports statuses that never carry a body (RFC 9110 §6.4.1). */
export function bodyForbidden(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}
