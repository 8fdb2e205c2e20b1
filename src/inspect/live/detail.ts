import type { HeaderList, RequestHead, ResponseHead } from '../../wire/index.js';
import type { Endpoint } from '../capture.js';
import type { MessageRecord } from '../exchanges.js';
import { requestCommand } from './commands.js';
import type { EntryState, LiveEntry } from './recorder.js';
import type { Taken } from './stream-tap.js';
import { whyNotes, type WhyNote } from './why.js';

/** Characters of each head kept in a summary's `text`, which the page's filter searches. */
const TEXT_CAP = 2048;

/**
 * Summary is one row of the page's packet list, sent over the event stream. `t` is epoch ms of the
 * request's first byte; `size` the response's bytes on the wire; `dur` ms from the first request byte
 * to the last response byte; null while not known. `text` holds both heads as sent (each cut at
 * TEXT_CAP characters) for the free-text filter.
 */
export interface Summary {
  readonly no: number;
  readonly t: number;
  readonly conn: number;
  readonly seq: number;
  readonly client: string;
  readonly method: string;
  readonly target: string;
  readonly status: number | null;
  readonly reason: string;
  readonly size: number | null;
  readonly dur: number | null;
  readonly state: EntryState;
  readonly text: string;
}

/** summarize makes the list row of an entry. */
export function summarize(entry: LiveEntry): Summary {
  const ex = entry.exchange;
  const req = ex.request;
  const res = ex.response;
  const done = entry.state === 'done' && res !== undefined;
  const start = req?.start ?? res?.start ?? ex.connection.opened;
  return {
    no: entry.no,
    t: start,
    conn: ex.connection.id,
    seq: ex.sequence,
    client: endpoint(ex.connection.client),
    method: req?.head.method ?? '',
    target: req?.head.target ?? '',
    status: res?.head.status ?? null,
    reason: res?.head.reason ?? '',
    size: done ? (entry.response?.wireSize ?? res.wireSize) : null,
    dur: done && res.end !== undefined ? round(res.end - start) : null,
    state: entry.state,
    text: (req === undefined ? '' : req.headRaw.toString('latin1', 0, TEXT_CAP)) + (res === undefined ? '' : res.headRaw.toString('latin1', 0, TEXT_CAP)),
  };
}

/** FieldLine is one header field line: its bytes are [offset, offset + length) of the side's bytes, CRLF included. */
export interface FieldLine {
  readonly name: string;
  readonly value: string;
  readonly offset: number;
  readonly length: number;
}

/** MessageDetail describes one message inside its side's bytes (offsets relative to them). */
export interface MessageDetail {
  readonly kind: 'request' | 'response' | 'interim';
  readonly offset: number;
  readonly startLine: { readonly text: string; readonly offset: number; readonly length: number };
  readonly fields: FieldLine[];
  /** The empty line ending the head. */
  readonly headEnd: { readonly offset: number; readonly length: number };
  readonly body: {
    readonly framing: 'none' | 'length' | 'chunked' | 'close';
    /** Where the body's wire bytes start and how many there are (chunk framing included). */
    readonly offset: number;
    readonly wireLength: number;
    /** Body bytes after removing the chunk framing. */
    readonly size: number;
    readonly chunks: Array<{ readonly offset: number; readonly sizeLine: string; readonly size: number }>;
  };
  readonly trailers: Array<{ readonly name: string; readonly value: string }>;
}

/** SideDetail is what one side sent for an exchange: its bytes (base64, at most the cap) and their messages. */
export interface SideDetail {
  readonly base64: string;
  readonly kept: number;
  readonly wireSize: number;
  readonly truncated: boolean;
  readonly messages: MessageDetail[];
}

/** Detail is what the page shows for a selected exchange. */
export interface Detail {
  readonly summary: Summary;
  readonly connection: {
    readonly id: number;
    readonly client: string;
    readonly server: string;
    readonly upstream: string | null;
    readonly secure: boolean;
    readonly tls: string | null;
    readonly closed: { readonly by: string; readonly reason: string } | null;
  };
  readonly cut: string | null;
  readonly request: SideDetail | null;
  readonly response: SideDetail | null;
  readonly why: WhyNote[];
  readonly commands: { readonly curl: string; readonly wirehttp: string } | null;
}

/** detailOf builds the detail of an entry: heads with the byte offsets of each line, bytes, why-notes, commands. */
export function detailOf(entry: LiveEntry): Detail {
  const ex = entry.exchange;
  const conn = ex.connection;
  const req = ex.request;
  const res = ex.response;
  const reqSide = req === undefined ? undefined : side(entry.request, [{ kind: 'request', m: req }], req.offset);
  const resMessages = [...ex.interim.map((m) => ({ kind: 'interim' as const, m })), ...(res === undefined ? [] : [{ kind: 'response' as const, m: res }])];
  const resSide = resMessages.length === 0 ? undefined : side(entry.response, resMessages, resMessages[0]!.m.offset);
  return {
    summary: summarize(entry),
    connection: {
      id: conn.id, client: endpoint(conn.client), server: endpoint(conn.server), upstream: conn.upstream === undefined ? null : endpoint(conn.upstream),
      secure: conn.secure, tls: conn.tlsProtocol ?? null, closed: conn.closed === undefined ? null : { by: conn.closed.by, reason: conn.closed.reason },
    },
    cut: entry.cut ?? null,
    request: reqSide ?? null,
    response: resSide ?? null,
    why: res === undefined ? [] : whyNotes({ request: req?.head, response: res.head, interim: ex.interim.map((m) => m.head), sequence: ex.sequence }),
    commands: req === undefined ? null : { curl: requestCommand('curl', ex), wirehttp: requestCommand('wirehttp', ex) },
  };
}

function side(taken: Taken | undefined, messages: Array<{ kind: MessageDetail['kind']; m: MessageRecord<RequestHead | ResponseHead> }>, start: number): SideDetail {
  // Before the message is complete no bytes were taken yet: the heads alone are shown.
  const bytes = taken?.bytes ?? Buffer.concat(messages.map(({ m }) => m.headRaw));
  return {
    base64: bytes.toString('base64'),
    kept: bytes.length,
    wireSize: taken?.wireSize ?? bytes.length,
    truncated: taken?.truncated ?? false,
    messages: messages.map(({ kind, m }) => messageDetail(kind, m, (taken?.offset ?? start))),
  };
}

/**
 * messageDetail locates the start line, each field line and the final empty line in the raw head
 * (lines end at LF; a CR before it belongs to the line), and the body after it, as offsets from
 * `base` (the stream offset where the side's bytes start). Names and values are the parser's reading
 * when there is one line per field, else the line's own text.
 */
export function messageDetail(kind: MessageDetail['kind'], m: MessageRecord<RequestHead | ResponseHead>, base: number): MessageDetail {
  const raw = m.headRaw;
  const at = m.offset - base;
  const lines: Array<{ offset: number; length: number }> = [];
  for (let start = 0, i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    lines.push({ offset: start, length: i + 1 - start });
    start = i + 1;
  }
  const first = lines[0] ?? { offset: 0, length: raw.length };
  const last = lines.at(-1) ?? first;
  const fieldLines = lines.slice(1, -1);
  const pairs = m.head.headers.raw;
  const fields = fieldLines.map((l, i): FieldLine => {
    const text = raw.toString('latin1', l.offset, l.offset + l.length).replace(/\r?\n$/, '');
    const colon = text.indexOf(':');
    const fromParser = pairs.length === fieldLines.length * 2;
    return {
      name: fromParser ? pairs[i * 2]! : colon < 0 ? text : text.slice(0, colon),
      value: fromParser ? pairs[i * 2 + 1]! : colon < 0 ? '' : text.slice(colon + 1).trim(),
      offset: at + l.offset,
      length: l.length,
    };
  });
  const bodyAt = at + raw.length;
  return {
    kind,
    offset: at,
    startLine: { text: raw.toString('latin1', first.offset, first.offset + first.length).replace(/\r?\n$/, ''), offset: at + first.offset, length: first.length },
    fields,
    headEnd: { offset: at + last.offset, length: last.length },
    body: {
      framing: m.framing.kind,
      offset: bodyAt,
      wireLength: Math.max(0, m.wireSize - raw.length),
      size: m.bodySize,
      chunks: (m.chunks ?? []).map((c) => ({ offset: c.offset - base, sizeLine: c.sizeLine, size: c.size })),
    },
    trailers: pairsOf(m.trailers),
  };
}

function pairsOf(h: HeaderList | undefined): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  if (h === undefined) return out;
  for (let i = 0; i < h.raw.length; i += 2) out.push({ name: h.raw[i]!, value: h.raw[i + 1]! });
  return out;
}

function endpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
