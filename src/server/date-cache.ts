/**
 * httpDate returns the current time as an IMF-fixdate (RFC 9110 §5.6.7). The string changes once a
 * second, so it is cached and rebuilt only when the second changes: one Date.now() per response
 * instead of a Date object and toUTCString().
 */
let cachedSecond = -1;
let cachedValue = '';

export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
