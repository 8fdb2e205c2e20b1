import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent, Side } from './capture.js';
import { ExchangeSplitter, type Exchange } from './exchanges.js';

const client = { address: '127.0.0.1', port: 50000 };
const server = { address: '127.0.0.1', port: 8080 };

/** run feeds one connection's byte streams, each side cut into pieces of `step` bytes (0: whole). */
function run(parts: ReadonlyArray<[Side, string]>, step = 0, close: { by: 'client' | 'server'; reason: string } = { by: 'client', reason: 'client FIN' }): { done: Exchange[]; log: string[] } {
  const done: Exchange[] = [];
  const log: string[] = [];
  const splitter = new ExchangeSplitter([
    {
      exchange(e) {
        if (e.kind === 'unparsed') log.push(`unparsed ${e.from}`);
        else if (e.kind === 'incomplete') log.push(`incomplete ${e.from} ${e.cut.part} #${e.exchange?.sequence ?? '-'}`);
        else log.push(`${e.kind} #${e.exchange.sequence}`);
        if (e.kind === 'response-end') done.push(e.exchange);
      },
    },
  ]);
  let t = 1000;
  const events: CaptureEvent[] = [{ kind: 'open', id: 1, client, server, secure: false, time: t }];
  for (const [from, text] of parts) {
    const bytes = Buffer.from(text, 'latin1');
    const n = step === 0 ? bytes.length : step;
    for (let i = 0; i < bytes.length; i += n) events.push({ kind: 'data', id: 1, from, bytes: bytes.subarray(i, i + n), time: ++t });
  }
  events.push({ kind: 'close', id: 1, ...close, time: ++t });
  for (const e of events) splitter.push(e);
  return { done, log };
}

const GET = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Case: Kept\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nTrailer-One: t\r\n\r\n';
const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';

const cases = [
  {
    name: 'keep-alive reuse: chunked response with extensions and trailers, then a Content-Length one',
    parts: [['client', GET], ['server', CHUNKED], ['client', GET], ['server', LENGTH]] as Array<[Side, string]>,
    want: [
      { seq: 1, method: 'GET', status: 200, body: 'hello!', chunks: ['5;ext=1', '1', '0'], trailers: ['Trailer-One', 't'], respWire: CHUNKED.length },
      { seq: 2, method: 'GET', status: 200, body: 'abc', chunks: undefined, trailers: undefined, respWire: LENGTH.length },
    ],
  },
  {
    name: 'pipelined pair sent in one go, answered in order; HEAD has no body',
    parts: [['client', GET + 'HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n'], ['server', LENGTH + 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n']] as Array<[Side, string]>,
    want: [
      { seq: 1, method: 'GET', status: 200, body: 'abc', chunks: undefined, trailers: undefined, respWire: LENGTH.length },
      { seq: 2, method: 'HEAD', status: 200, body: '', chunks: undefined, trailers: undefined, respWire: 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'.length },
    ],
  },
  {
    name: 'POST with a chunked request body; 100-continue then a close-delimited response',
    parts: [
      ['client', 'POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
      ['server', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nto the end'],
    ] as Array<[Side, string]>,
    want: [{ seq: 1, method: 'POST', status: 200, body: 'to the end', chunks: undefined, trailers: undefined, respWire: 29 }],
  },
];

for (const c of cases) {
  for (const step of [0, 1, 7]) {
    test(`exchanges: ${c.name} (pieces of ${step || 'all'})`, () => {
      const { done, log } = run(c.parts, step, { by: 'server', reason: 'server close' });
      assert.equal(done.length, c.want.length);
      assert.deepEqual(log.filter((l) => l.startsWith('incomplete')), [], 'complete messages are not reported as cut');
      done.forEach((ex, i) => {
        const w = c.want[i]!;
        assert.equal(ex.sequence, w.seq);
        assert.equal(ex.request?.head.method, w.method);
        assert.equal(ex.response?.head.status, w.status);
        assert.equal(Buffer.concat(ex.response!.body).toString('latin1'), w.body);
        assert.deepEqual(ex.response!.chunks?.map((k) => k.sizeLine), w.chunks);
        assert.deepEqual(ex.response!.trailers?.raw, w.trailers);
        assert.equal(ex.response!.wireSize, w.respWire);
        assert.equal(ex.response!.headRaw.toString('latin1'), ex.response!.headRaw.toString('latin1').split('\r\n\r\n')[0] + '\r\n\r\n');
      });
    });
  }
}

const cuts: Array<{ name: string; parts: Array<[Side, string]>; want: string[] }> = [
  { name: 'a response body cut short', parts: [['client', GET], ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhalf']], want: ['incomplete server body #1'] },
  { name: 'a response head cut short', parts: [['client', GET], ['server', LENGTH + 'HTTP/1.1 2']], want: ['incomplete server head #-'] },
  { name: 'a chunked request with no last chunk', parts: [['client', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n']], want: ['incomplete client body #1'] },
  { name: 'a request head cut short after a complete exchange', parts: [['client', GET], ['server', LENGTH], ['client', 'GET /b HT']], want: ['incomplete client head #-'] },
];

for (const c of cuts) {
  for (const step of [0, 1, 7]) {
    test(`exchanges: ${c.name} is reported when the connection closes (pieces of ${step || 'all'})`, () => {
      assert.deepEqual(run(c.parts, step).log.filter((l) => l.startsWith('incomplete')), c.want);
    });
  }
}

test('exchanges: heads keep their exact bytes, and a request body its chunk list', () => {
  const post = 'POST /u HTTP/1.1\r\nhOsT: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
  const { done } = run([['client', post], ['server', LENGTH]], 5);
  const req = done[0]!.request!;
  assert.equal(req.headRaw.toString('latin1'), post.slice(0, post.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(req.head.headers.raw, ['hOsT', 'x', 'Transfer-Encoding', 'chunked']);
  assert.deepEqual(req.chunks?.map((k) => [k.sizeLine, k.size]), [['3', 3], ['0', 0]]);
  assert.equal(req.wireSize, post.length);
  assert.ok(req.end! >= req.start);
});

test('exchanges: bytes that are not HTTP are reported once and then only counted', () => {
  const { log } = run([['client', 'HELLO\x00\r\n\r\n'], ['client', 'more']]);
  assert.deepEqual(log, ['unparsed client']);
});

test('exchanges: the body cap keeps the first bytes and counts the rest', () => {
  const events: Exchange[] = [];
  const splitter = new ExchangeSplitter([{ exchange: (e) => void (e.kind === 'response-end' && events.push(e.exchange)) }], { bodyCap: 2 });
  splitter.push({ kind: 'open', id: 9, client, server, secure: false, time: 1 });
  splitter.push({ kind: 'data', id: 9, from: 'client', bytes: Buffer.from(GET), time: 2 });
  splitter.push({ kind: 'data', id: 9, from: 'server', bytes: Buffer.from(LENGTH), time: 3 });
  const res = events[0]!.response!;
  assert.equal(Buffer.concat(res.body).toString(), 'ab');
  assert.equal(res.bodySize, 3);
  assert.equal(res.bodyTruncated, true);
});
