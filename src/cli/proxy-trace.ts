import { RequestParser, ResponseParser, WireError, type RequestHead, type ResponseHead } from '../wire/index.js';
import type { RelayEvent } from '../inspect/relay.js';

/**
 * ExchangeLog turns a relay's byte events into one line per message: request lines and status lines
 * with body sizes, connection opens and who closed. Each direction is parsed with our own parsers;
 * traffic that is not HTTP/1.x is reported once and then only counted.
 */
export class ExchangeLog {
  private readonly connections = new Map<number, ConnectionLog>();
  constructor(private readonly print: (line: string) => void) {}

  handle(event: RelayEvent): void {
    switch (event.kind) {
      case 'open':
        this.connections.set(event.id, new ConnectionLog(event.id, this.print));
        this.print(`#${event.id} open ${event.client}:${event.clientPort} -> ${event.upstream}:${event.upstreamPort}`);
        return;
      case 'data':
        this.connections.get(event.id)?.data(event.direction, event.bytes);
        return;
      case 'close':
        this.connections.get(event.id)?.finish();
        this.connections.delete(event.id);
        this.print(`#${event.id} closed by ${event.closedBy}`);
    }
  }
}

class ConnectionLog {
  private readonly requests: RequestParser;
  private readonly responses: ResponseParser;
  private requestBody = 0;
  private responseBody = 0;
  private broken = false;

  constructor(private readonly id: number, private readonly print: (line: string) => void) {
    this.requests = new RequestParser(
      {
        onHead: (h: RequestHead) => {
          this.responses.expect(h.method);
          this.requestBody = 0;
          this.print(`#${id} > ${h.method} ${h.target} HTTP/1.${h.versionMinor}`);
        },
        onBody: (b) => (this.requestBody += b.length),
        onTrailers: () => {},
        onEnd: () => {
          if (this.requestBody > 0) this.print(`#${id} >   body ${this.requestBody} bytes`);
        },
      },
      { allowBareLf: true, limits: { maxHeadBytes: 1 << 20, maxStartLine: 1 << 16 } },
    );
    this.responses = new ResponseParser({
      onHead: (h: ResponseHead) => {
        this.responseBody = 0;
        const framing = h.framing.kind === 'length' ? `Content-Length ${h.framing.length}` : h.framing.kind;
        this.print(`#${id} < HTTP/1.${h.versionMinor} ${h.status} ${h.reason} (${framing})`);
      },
      onBody: (b) => (this.responseBody += b.length),
      onTrailers: () => {},
      onEnd: () => {
        if (this.responseBody > 0) this.print(`#${id} <   body ${this.responseBody} bytes`);
      },
    });
  }

  data(direction: 'in' | 'out', bytes: Buffer): void {
    if (this.broken) return;
    try {
      // A paused parser (upgrade, CONNECT) means the rest is another protocol: stop reading it.
      if (direction === 'in') this.requests.feed(bytes);
      else this.responses.feed(bytes);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.broken = true;
      this.print(`#${this.id} ${direction === 'in' ? '>' : '<'} not HTTP/1.x from here on (${error.code} at byte ${error.offset})`);
    }
  }

  finish(): void {
    if (this.broken) return;
    try {
      this.responses.finish();
    } catch {
      this.print(`#${this.id} < message cut short by the close`);
    }
  }
}
