import type { CaptureEvent, Side } from './capture.js';
import type { ConnectionRecord, Exchange, ExchangeConsumer, ExchangeEvent, MessageRecord, Unfinished } from './exchanges.js';
import { hexdump } from './hexdump.js';

/** Paint colours parts of a line; the CLI passes picocolors on a TTY and identity functions otherwise. */
export interface Paint {
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  green(s: string): string;
}

const id = (s: string): string => s;
/** PLAIN paints nothing (piped output, NO_COLOR, tests). */
export const PLAIN: Paint = { dim: id, bold: id, cyan: id, magenta: id, yellow: id, red: id, green: id };

export type TraceMode = 'heads' | 'hex';

export interface TraceOptions {
  mode?: TraceMode;
  paint?: Paint;
  /** Local-time clock formatting by default; tests pass a fixed one. */
  clock?: (epochMs: number) => string;
  /** Chunk size lines listed per message before the rest are summed up. */
  maxChunks?: number;
}

const ARROW: Record<Side, string> = { client: '→', server: '←' };

/**
 * TraceRenderer turns capture and exchange events into terminal lines: per connection its opening,
 * per exchange the heads exactly as sent (original case and order, CR LF shown as the line ends),
 * body size and framing (each chunk's size line, trailers), timings and reuse, and who closed the
 * connection and why. In 'hex' mode every piece of data read or written is also dumped in
 * Wireshark's layout, offsets counted per direction.
 */
export class TraceRenderer implements ExchangeConsumer {
  private readonly mode: TraceMode;
  private readonly p: Paint;
  private readonly clock: (t: number) => string;
  private readonly maxChunks: number;
  private readonly offsets = new Map<number, { client: number; server: number }>();

  constructor(private readonly print: (line: string) => void, options: TraceOptions = {}) {
    this.mode = options.mode ?? 'heads';
    this.p = options.paint ?? PLAIN;
    this.clock = options.clock ?? localClock;
    this.maxChunks = options.maxChunks ?? 20;
  }

  capture(event: CaptureEvent, conn: ConnectionRecord | undefined): void {
    const p = this.p;
    switch (event.kind) {
      case 'open':
        this.offsets.set(event.id, { client: 0, server: 0 });
        this.line(event.time, `#${event.id}`, `${p.bold('open')} ${endpoint(event.client)} → ${endpoint(event.server)}${event.upstream !== undefined ? ` → ${endpoint(event.upstream)} (relayed)` : ''}${event.secure ? ' (TLS)' : ''}`);
        return;
      case 'tls':
        this.line(event.time, `#${event.id}`, `TLS handshake done${event.protocol !== null ? ` (${event.protocol})` : ''}`);
        return;
      case 'data': {
        if (this.mode !== 'hex') return;
        const o = this.offsets.get(event.id) ?? { client: 0, server: 0 };
        this.line(event.time, `#${event.id}`, this.side(event.from, `${ARROW[event.from]} ${event.bytes.length} bytes from the ${event.from}`));
        for (const l of hexdump(event.bytes, o[event.from])) this.print(`  ${this.side(event.from, ARROW[event.from])} ${p.dim(l)}`);
        o[event.from] += event.bytes.length;
        return;
      }
      case 'close': {
        this.offsets.delete(event.id);
        const closed = conn?.closed ?? { by: event.by, reason: event.reason };
        const stats = conn === undefined ? '' : `, ${plural(conn.exchanges, 'exchange')}, ${fmtMs(event.time - conn.opened)} open, client sent ${conn.sent.client} B, server sent ${conn.sent.server} B`;
        const who = closed.by === 'error' ? p.red('closed by an error') : `closed by the ${closed.by}`;
        this.line(event.time, `#${event.id}`, `${p.bold(who)}: ${closed.reason}${stats}`);
        return;
      }
      default:
        return;
    }
  }

  exchange(event: ExchangeEvent): void {
    const p = this.p;
    if (event.kind === 'unparsed') {
      this.line(event.time, `#${event.connection.id}`, p.red(`${ARROW[event.from]} ${event.reason}: the rest of what the ${event.from} sends is only counted`));
      return;
    }
    if (event.kind === 'incomplete') {
      const tag = event.exchange === undefined ? `#${event.connection.id}` : `#${event.connection.id}.${event.exchange.sequence}`;
      this.line(event.time, tag, this.side(event.from, `${ARROW[event.from]} ${p.red('cut off')}: ${this.unfinished(event.cut, event.from)} when the connection closed`));
      return;
    }
    const ex = event.exchange;
    const tag = `#${ex.connection.id}.${ex.sequence}`;
    switch (event.kind) {
      case 'request-head': {
        const m = ex.request!;
        const reuse = ex.sequence > 1 ? p.yellow(` (connection reused: exchange ${ex.sequence})`) : '';
        this.line(event.time, tag, this.side('client', `→ request head, ${m.head.headBytes} bytes at offset ${m.offset}`) + reuse);
        this.head(m, 'client');
        return;
      }
      case 'request-end':
        this.line(event.time, tag, this.side('client', `→ ${this.body(ex.request!)}`));
        this.chunks(ex.request!, 'client');
        return;
      case 'response-head': {
        const m = ex.response!;
        for (const i of ex.interim) {
          this.line(i.headDone, tag, this.side('server', `← interim ${i.head.status} ${i.head.reason}`));
          this.head(i, 'server');
        }
        this.line(event.time, tag, this.side('server', `← response head, ${m.head.headBytes} bytes at offset ${m.offset}`));
        this.head(m, 'server');
        return;
      }
      case 'response-end': {
        const m = ex.response!;
        this.line(event.time, tag, this.side('server', `← ${this.body(m)}`));
        this.chunks(m, 'server');
        this.print(`  ${tag} ${p.dim(timings(ex))}; ${m.head.keepAlive ? 'keep-alive: the connection stays open' : p.yellow('the connection closes after this response')}`);
        return;
      }
    }
  }

  private head(m: MessageRecord<{ headBytes: number }>, from: Side): void {
    const text = m.headRaw.toString('latin1');
    let start = 0;
    while (start < text.length) {
      const lf = text.indexOf('\n', start);
      const end = lf === -1 ? text.length : lf + 1;
      const line = text.slice(start, end).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
      this.print(`  ${this.side(from, ARROW[from])} ${line}`);
      start = end;
    }
  }

  private body(m: MessageRecord<unknown>): string {
    const f = m.framing;
    switch (f.kind) {
      case 'none':
        return 'no body';
      case 'length':
        return `body ${plural(m.bodySize, 'byte')} (Content-Length: ${f.length})`;
      case 'chunked':
        return `body ${plural(m.bodySize, 'byte')} chunked in ${plural((m.chunks?.length ?? 1) - 1, 'chunk')} + last chunk, ${m.wireSize - (m.headRaw.length)} bytes on the wire`;
      case 'close':
        return `body ${plural(m.bodySize, 'byte')} delimited by the connection close`;
    }
  }

  private unfinished(cut: Unfinished, from: Side): string {
    const what = from === 'client' ? 'request' : 'response';
    if (cut.part === 'head') return `${plural(cut.bytes, 'byte')} of a ${what} head`;
    const m = cut.message;
    const f = m.framing;
    if (f.kind === 'length') return `${what} body ${m.bodySize} of ${plural(f.length, 'byte')} (Content-Length: ${f.length})`;
    if (f.kind === 'chunked') return `chunked ${what} body after ${plural(m.bodySize, 'byte')} in ${plural(m.chunks?.length ?? 0, 'chunk')}, no last chunk`;
    return `${what} body after ${plural(m.bodySize, 'byte')}`;
  }

  private chunks(m: MessageRecord<unknown>, from: Side): void {
    const a = this.side(from, ARROW[from]);
    const list = m.chunks ?? [];
    list.slice(0, this.maxChunks).forEach((c) => {
      this.print(`  ${a}   ${c.sizeLine}\\r\\n ${this.p.dim(c.size === 0 ? '(last chunk)' : `(${plural(c.size, 'byte')})`)}`);
    });
    if (list.length > this.maxChunks) this.print(`  ${a}   … ${list.length - this.maxChunks} more chunks`);
    if (m.trailers !== undefined) {
      this.print(`  ${a} trailers:`);
      const raw = m.trailers.raw;
      for (let i = 0; i < raw.length; i += 2) this.print(`  ${a}   ${raw[i]}: ${raw[i + 1]}`);
    }
  }

  private side(from: Side, text: string): string {
    return from === 'client' ? this.p.cyan(text) : this.p.magenta(text);
  }

  private line(time: number, tag: string, text: string): void {
    this.print(`${this.p.dim(this.clock(time))} ${this.p.bold(tag)} ${text}`);
  }
}

/** timings describes an exchange's phases as HAR and the browsers name them. */
export function timings(ex: Exchange): string {
  const req = ex.request;
  const res = ex.response;
  if (req === undefined || res === undefined) return 'timings: incomplete';
  const reqEnd = req.end ?? req.headDone;
  const parts = [`send ${fmtMs(reqEnd - req.start)}`, `wait ${fmtMs(res.start - reqEnd)}`, `receive ${fmtMs((res.end ?? res.start) - res.start)}`, `total ${fmtMs((res.end ?? res.start) - req.start)}`];
  return `timings: ${parts.join(', ')}`;
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function fmtMs(ms: number): string {
  const v = Math.max(0, ms);
  return v >= 1000 ? `${(v / 1000).toFixed(3)} s` : `${v.toFixed(3)} ms`;
}

/** localClock formats epoch ms as local HH:MM:SS.mmmuuu (microseconds, as Wireshark shows). */
export function localClock(t: number): string {
  const d = new Date(Math.floor(t));
  const two = (n: number): string => String(n).padStart(2, '0');
  const micros = Math.floor((t - Math.floor(t / 1000) * 1000) * 1000);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(micros).padStart(6, '0')}`;
}
