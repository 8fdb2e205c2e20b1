import type { Response } from '../../server/types.js';
import { summarize, type Summary } from './detail.js';
import type { LiveEntry, LiveRecorder } from './recorder.js';

/** Changes are gathered this long and sent as one event: a busy server costs one write per client per period. */
const FLUSH_MS = 50;
/** Rows per `rows` event, so no single message grows with the buffer. */
const BATCH = 1000;
/** Idle streams get a comment this often: a page that went away is noticed. */
const HEARTBEAT_MS = 10_000;

interface Client {
  readonly res: Response;
  /** The socket's buffer was full: changes are skipped until it drains. */
  behind: boolean;
  /** Changes were skipped while behind: everything is sent again once the socket drains. */
  missed: boolean;
  /** Resolves the handler's promise once the stream is over. */
  readonly done: () => void;
}

/**
 * EventStream serves the page's server-sent events. A new stream first gets `hello` (capacity,
 * first kept number, start time), then every kept row in `rows` events; afterwards `rows` events
 * carry rows added or changed since the last one. Each `rows` event is `{ first, rows }`: the page
 * drops what is older than `first` and replaces or appends rows by number. A page that cannot keep
 * up is not queued for: changes made while its socket is full are skipped, and once it drains it
 * is sent the whole buffer again (only then: a full socket still delivers what it holds).
 */
export class EventStream {
  private readonly clients = new Set<Client>();
  private readonly dirty = new Map<number, LiveEntry>();
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly recorder: LiveRecorder, private readonly info: { version: string }) {
    this.unlisten = recorder.listen((entry) => {
      if (this.clients.size === 0) return;
      this.dirty.set(entry.no, entry);
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    });
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), HEARTBEAT_MS).unref();
  }

  /** handle answers the events endpoint; resolves when the page goes away or the stream is closed. */
  handle(res: Response): Promise<void> {
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).write('retry: 1000\n\n');
    if (this.closed) {
      res.end();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const client: Client = { res, behind: false, missed: false, done: resolve };
      this.clients.add(client);
      this.snapshot(client);
    });
  }

  /** close ends every stream (a shutting-down server is not held open by pages). */
  close(): void {
    this.closed = true;
    this.unlisten();
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    for (const c of [...this.clients]) {
      this.drop(c);
      try {
        c.res.end();
      } catch {
        // already gone
      }
    }
  }

  /** snapshot sends `hello` and every kept row. */
  private snapshot(client: Client): void {
    const r = this.recorder;
    const hello = { capacity: r.ring.capacity, first: r.first, started: r.started ?? null, version: this.info.version };
    let text = `event: hello\ndata: ${JSON.stringify(hello)}\n\n`;
    let rows: Summary[] = [];
    for (const entry of r.ring) {
      rows.push(summarize(entry));
      if (rows.length === BATCH) {
        text += rowsEvent(r.first, rows);
        rows = [];
      }
    }
    if (rows.length > 0) text += rowsEvent(r.first, rows);
    this.send(client, text);
  }

  private flush(): void {
    this.timer = undefined;
    const entries = [...this.dirty.values()].filter((e) => this.recorder.get(e.no) === e);
    this.dirty.clear();
    if (entries.length === 0) return;
    let text = '';
    for (let i = 0; i < entries.length; i += BATCH) text += rowsEvent(this.recorder.first, entries.slice(i, i + BATCH).map(summarize));
    this.broadcast(text);
  }

  private broadcast(text: string): void {
    for (const c of this.clients) {
      if (c.behind) c.missed = true;
      else this.send(c, text);
    }
  }

  private send(client: Client, text: string): void {
    let more: boolean;
    try {
      more = client.res.write(text);
    } catch {
      this.drop(client);
      return;
    }
    if (more) {
      // drain() rejects once the connection is closed: that is how a page that went away is noticed
      client.res.drain().catch(() => this.drop(client));
      return;
    }
    client.behind = true;
    client.res.drain().then(() => {
      if (!this.clients.has(client)) return;
      client.behind = false;
      if (!client.missed) return;
      client.missed = false;
      this.snapshot(client);
    }, () => this.drop(client));
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    client.done();
  }
}

function rowsEvent(first: number, rows: Summary[]): string {
  return `event: rows\ndata: ${JSON.stringify({ first, rows })}\n\n`;
}
