import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent } from './capture.js';
import { ExchangeSplitter } from './exchanges.js';
import { TraceRenderer, type TraceMode } from './trace.js';

const client = { address: '127.0.0.1', port: 50000 };
const server = { address: '::1', port: 8080 };
const data = (from: 'client' | 'server', text: string, time: number): CaptureEvent => ({ kind: 'data', id: 3, from, bytes: Buffer.from(text, 'latin1'), time });

/** render runs fixed events through the splitter into a plain trace with a fake clock. */
function render(events: CaptureEvent[], mode: TraceMode): string[] {
  const lines: string[] = [];
  const trace = new TraceRenderer((l) => lines.push(l), { mode, clock: (t) => `t+${t - 1000}` });
  const splitter = new ExchangeSplitter([trace]);
  for (const e of events) splitter.push(e);
  return lines;
}

const keepAlive: CaptureEvent[] = [
  { kind: 'open', id: 3, client, server, secure: false, time: 1000 },
  data('client', 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 1001),
  data('server', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nhi\r\n0\r\nT: 1\r\n\r\n', 1003),
  data('client', 'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 1010),
  data('server', 'HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\nConnection: close\r\n\r\n!', 1012),
  { kind: 'close', id: 3, by: 'server', reason: 'server close', time: 1013 },
];

const cases: Array<{ name: string; events: CaptureEvent[]; mode: TraceMode; want: string[] }> = [
  {
    name: 'heads as sent, chunk lines, trailers, timings, reuse and who closed why',
    events: keepAlive,
    mode: 'heads',
    want: [
      't+0 #3 open 127.0.0.1:50000 → [::1]:8080',
      't+1 #3.1 → request head, 28 bytes at offset 0',
      '  → GET /a HTTP/1.1\\r\\n',
      '  → Host: x\\r\\n',
      '  → \\r\\n',
      't+1 #3.1 → no body',
      't+3 #3.1 ← response head, 47 bytes at offset 0',
      '  ← HTTP/1.1 200 OK\\r\\n',
      '  ← Transfer-Encoding: chunked\\r\\n',
      '  ← \\r\\n',
      't+3 #3.1 ← body 2 bytes chunked in 1 chunk + last chunk, 22 bytes on the wire',
      '  ←   2;x=y\\r\\n (2 bytes)',
      '  ←   0\\r\\n (last chunk)',
      '  ← trailers:',
      '  ←   T: 1',
      '  #3.1 timings: send 0.000 ms, wait 2.000 ms, receive 0.000 ms, total 2.000 ms; keep-alive: the connection stays open',
      't+10 #3.2 → request head, 47 bytes at offset 28 (connection reused: exchange 2)',
      '  → GET /b HTTP/1.1\\r\\n',
      '  → Host: x\\r\\n',
      '  → Connection: close\\r\\n',
      '  → \\r\\n',
      't+10 #3.2 → no body',
      't+12 #3.2 ← response head, 64 bytes at offset 69',
      '  ← HTTP/1.1 404 Not Found\\r\\n',
      '  ← Content-Length: 1\\r\\n',
      '  ← Connection: close\\r\\n',
      '  ← \\r\\n',
      't+12 #3.2 ← body 1 byte (Content-Length: 1)',
      '  #3.2 timings: send 0.000 ms, wait 2.000 ms, receive 0.000 ms, total 2.000 ms; the connection closes after this response',
      't+13 #3 closed by the server: server close after Connection: close, 2 exchanges, 13.000 ms open, client sent 75 B, server sent 134 B',
    ],
  },
  {
    name: 'hex mode dumps each piece of data before the heads it completes',
    events: [
      { kind: 'open', id: 3, client, server, secure: false, time: 1000 },
      data('client', 'GET / HTTP/1.0\r\n\r\n', 1001),
      { kind: 'close', id: 3, by: 'client', reason: 'client FIN', time: 1002 },
    ],
    mode: 'hex',
    want: [
      't+0 #3 open 127.0.0.1:50000 → [::1]:8080',
      't+1 #3 → 18 bytes from the client',
      '  → 0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a   GET / HTTP/1.0..',
      '  → 0010  0d 0a                                              ..',
      't+1 #3.1 → request head, 18 bytes at offset 0',
      '  → GET / HTTP/1.0\\r\\n',
      '  → \\r\\n',
      't+1 #3.1 → no body',
      't+2 #3 closed by the client: client FIN, 1 exchange, 2.000 ms open, client sent 18 B, server sent 0 B',
    ],
  },
  {
    name: 'a relayed connection names the upstream, and a lab switch cutting it is the proxy closing',
    events: [
      { kind: 'open', id: 3, client, server, upstream: { address: 'flask.test', port: 5000 }, secure: false, time: 1000 },
      data('client', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 1001),
      data('server', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhalf', 1002),
      { kind: 'close', id: 3, by: 'proxy', reason: 'proxy cut (lab switch)', time: 1003 },
    ],
    mode: 'heads',
    want: [
      't+0 #3 open 127.0.0.1:50000 → [::1]:8080 → flask.test:5000 (relayed)',
      't+1 #3.1 → request head, 27 bytes at offset 0',
      '  → GET / HTTP/1.1\\r\\n',
      '  → Host: x\\r\\n',
      '  → \\r\\n',
      't+1 #3.1 → no body',
      't+2 #3.1 ← response head, 38 bytes at offset 0',
      '  ← HTTP/1.1 200 OK\\r\\n',
      '  ← Content-Length: 9\\r\\n',
      '  ← \\r\\n',
      't+3 #3.1 ← cut off: response body 4 of 9 bytes (Content-Length: 9) when the connection closed',
      't+3 #3 closed by the proxy: proxy cut (lab switch), 1 exchange, 3.000 ms open, client sent 27 B, server sent 42 B',
    ],
  },
  {
    name: 'a head cut short is told with its byte count',
    events: [
      { kind: 'open', id: 3, client, server, secure: false, time: 1000 },
      data('client', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 1001),
      data('server', 'HTTP/1.1 200 OK\r\nContent-Le', 1002),
      { kind: 'close', id: 3, by: 'proxy', reason: 'proxy cut (lab switch)', time: 1003 },
    ],
    mode: 'heads',
    want: [
      't+0 #3 open 127.0.0.1:50000 → [::1]:8080',
      't+1 #3.1 → request head, 27 bytes at offset 0',
      '  → GET / HTTP/1.1\\r\\n',
      '  → Host: x\\r\\n',
      '  → \\r\\n',
      't+1 #3.1 → no body',
      't+3 #3.1 ← cut off: 27 bytes of a response head when the connection closed',
      't+3 #3 closed by the proxy: proxy cut (lab switch), 1 exchange, 3.000 ms open, client sent 27 B, server sent 27 B',
    ],
  },
];

for (const c of cases) {
  test(`trace: ${c.name}`, () => {
    assert.deepEqual(render(c.events, c.mode), c.want);
  });
}
