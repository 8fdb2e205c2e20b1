import type { ClientCloseReason, ClientConnectionInfo, ClientObserver, ClientResponse, SentRequest } from '../client/index.js';

/** Writer is where -v text goes (stderr in the CLI). */
export type Writer = (text: string) => void;

const CLOSED_BY: Record<ClientCloseReason, string> = {
  'server-fin': 'closed by the server',
  'server-reset': 'reset by the server',
  'client-close': 'closed by us',
  'idle-timeout': 'closed by us (idle timeout)',
  'agent-close': 'closed by us',
  timeout: 'closed by us (timeout)',
  aborted: 'closed by us (aborted)',
  'protocol-error': 'closed by us (invalid response)',
  'body-abandoned': 'closed by us (body not read)',
  'connect-failed': 'closed (connect failed)',
};

/** Direction of a head on the wire, drawn with curl's markers. */
type Marker = '>' | '<';

/** WireState is what the printer expects next from one connection's received bytes. */
const WireState = { Idle: 0, ResponseHead: 1, Body: 2 } as const;
type WireState = (typeof WireState)[keyof typeof WireState];

/** Longest response head the printer buffers before giving up on finding its end. */
const MAX_HEAD = 256 * 1024;

interface ConnState {
  /** Request head bytes still to come in bytesOut (from SentRequest.head.length). */
  outHead: number;
  outBuf: Buffer[];
  inState: WireState;
  inBuf: Buffer | undefined;
}

/**
 * VerboseWire is `-v`: a ClientObserver that prints the request and response heads exactly as they
 * were written to and read from the socket (the observer's bytesOut/bytesIn, never a rebuild from
 * parsed fields), with `>`/`<` markers, plus curl-style `*` notes for connecting, TLS, re-use and
 * who closed the connection. Bodies are not printed.
 *
 * Framing: the CLI runs one request at a time per connection (no pipelining), so after a request
 * head is announced with `requestSent()` the next received bytes start a response head; it ends at
 * the first empty line. An interim 1xx head is followed by another head; a final head by the body,
 * which is skipped until the next request.
 */
export class VerboseWire implements ClientObserver {
  private readonly write: Writer;
  private readonly conns = new Map<number, ConnState>();

  constructor(write: Writer) {
    this.write = write;
  }

  /** requestSent announces a request head about to be written on `sent.connection` (onRequest). */
  requestSent(sent: SentRequest): void {
    const st = this.state(sent.connection.id);
    st.outHead = sent.head.length;
    st.outBuf = [];
    st.inState = WireState.ResponseHead;
    st.inBuf = undefined;
  }

  connecting(t: { host: string; port: number }): void {
    this.write(`*   Trying ${t.host}:${t.port}...\n`);
  }

  open(c: ClientConnectionInfo): void {
    this.write(`* Connected to ${c.host} (${c.remoteAddress}) port ${c.remotePort} (#${c.id})\n`);
  }

  secure(_c: ClientConnectionInfo, _t: number, protocol: string | null, cipher: string | undefined): void {
    this.write(`* SSL connection using ${protocol ?? '?'} / ${cipher ?? '?'}\n`);
  }

  reuse(c: ClientConnectionInfo): void {
    this.write(`* Re-using existing connection #${c.id} with host ${c.host}\n`);
  }

  bytesOut(c: ClientConnectionInfo, bytes: Buffer): void {
    const st = this.state(c.id);
    if (st.outHead === 0) return;
    const take = Math.min(st.outHead, bytes.length);
    st.outBuf.push(take === bytes.length ? bytes : bytes.subarray(0, take));
    st.outHead -= take;
    if (st.outHead === 0) {
      this.write(renderHead(Buffer.concat(st.outBuf), '>'));
      st.outBuf = [];
    }
  }

  bytesIn(c: ClientConnectionInfo, bytes: Buffer): void {
    const st = this.state(c.id);
    let chunk = bytes;
    while (st.inState === WireState.ResponseHead && chunk.length > 0) {
      const buf = st.inBuf === undefined ? chunk : Buffer.concat([st.inBuf, chunk]);
      const end = headEnd(buf);
      if (end < 0) {
        st.inBuf = buf.length > MAX_HEAD ? undefined : buf;
        if (buf.length > MAX_HEAD) st.inState = WireState.Body;
        return;
      }
      st.inBuf = undefined;
      const head = buf.subarray(0, end);
      this.write(renderHead(head, '<'));
      // HTTP/1.x 1xx (but not 101): another head follows.
      const interim = head.length > 12 && head[9] === 0x31 && !(head[10] === 0x30 && head[11] === 0x31);
      if (!interim) st.inState = WireState.Body;
      chunk = buf.subarray(end);
    }
  }

  close(c: ClientConnectionInfo, reason: ClientCloseReason): void {
    this.conns.delete(c.id);
    if (reason !== 'agent-close') this.write(`* Connection #${c.id} to host ${c.host} ${CLOSED_BY[reason]}\n`);
  }

  private state(id: number): ConnState {
    let st = this.conns.get(id);
    if (st === undefined) {
      st = { outHead: 0, outBuf: [], inState: WireState.Idle, inBuf: undefined };
      this.conns.set(id, st);
    }
    return st;
  }
}

/** headEnd returns the offset just past the empty line ending a head (CRLF CRLF, or a bare LF one), or -1. */
export function headEnd(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * renderHead draws head bytes line by line with a marker: each line's CRLF ends the printed line; a
 * bare LF ending is shown as `\n` and any other CR as `\r`, so what is printed is what was on the wire.
 */
export function renderHead(head: Buffer, marker: Marker): string {
  let out = '';
  let start = 0;
  while (start < head.length) {
    let nl = head.indexOf(0x0a, start);
    if (nl < 0) nl = head.length;
    const crlf = nl > start && head[nl - 1] === 0x0d;
    const text = head.toString('latin1', start, crlf ? nl - 1 : nl).replaceAll('\r', '\\r');
    out += `${marker} ${text}${!crlf && nl < head.length ? '\\n' : ''}\n`;
    start = nl + 1;
  }
  return out;
}

/** prefixLines renders a head (CRLF lines) with `> ` or `< ` markers, including the blank line. */
export function prefixLines(head: string, marker: Marker): string {
  return renderHead(Buffer.from(head, 'latin1'), marker);
}

/** responseHeadText rebuilds a response head (status line and fields as received, CRLF-terminated). */
export function responseHeadText(res: ClientResponse): string {
  let text = `HTTP/${res.httpVersion} ${res.status}${res.reason === '' ? '' : ` ${res.reason}`}\r\n`;
  for (const [name, value] of res.headers) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}
