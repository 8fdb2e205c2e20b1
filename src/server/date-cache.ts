/**
 * httpDate returns the current time as an IMF-fixdate (RFC 9110 §5.6.7). Like nginx's time cache it
 * is refreshed from a clock that connections update on every read, plus a half-second timer for quiet
 * periods, so building a response costs no Date.now() call and no toUTCString() most of the time.
 */
let clock = Date.now();
let cachedSecond = -1;
let cachedValue = '';
let ticker: NodeJS.Timeout | undefined;

/** tick records the current time (callers already hold Date.now()). */
export function tick(now: number): void {
  clock = now;
}

export function httpDate(): string {
  if (ticker === undefined) {
    ticker = setInterval(() => (clock = Date.now()), 500);
    ticker.unref();
    clock = Date.now();
  }
  const second = Math.floor(clock / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
