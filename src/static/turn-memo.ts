/**
 * TurnMemo keeps values for the rest of the current turn of the event loop, and forgets them all
 * when the turn ends. The static handler uses it to stat a file once per turn instead of once per
 * request: under load one turn answers every connection that had a request waiting (about 45 with
 * 50 busy connections here), and the stat was a fifth of the CPU a small file costs.
 *
 * Why no request sees a file older than the request: node reads sockets in the poll phase, and the
 * immediate that clears the memo runs in the check phase right after it. A value computed while
 * answering one request is reused only by requests read in the same poll phase, which were already
 * waiting when it began, before the value was computed; so a change made before any of them was sent
 * shows in the value. Two narrow exceptions, each worth a few microseconds of staleness: a pipelining
 * client that changes a file between two requests sent in one burst and read together, and a value
 * computed outside the poll phase (a request answered after a timer), which lasts through the next one.
 */
export class TurnMemo<V> {
  private readonly values = new Map<string, V>();
  private readonly forget = (): void => this.values.clear();

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  set(key: string, value: V): void {
    if (this.values.size === 0) setImmediate(this.forget);
    this.values.set(key, value);
  }
}
