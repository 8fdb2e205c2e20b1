import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent } from '../capture.js';
import { ExchangeSplitter } from '../exchanges.js';
import { detailOf, summarize } from './detail.js';
import { conversation } from './live.test-util.js';
import { LiveRecorder, type RecorderOptions } from './recorder.js';

function record(events: readonly CaptureEvent[], options: RecorderOptions = {}): LiveRecorder {
  const recorder = new LiveRecorder(options);
  const splitter = new ExchangeSplitter([recorder], { bodyCap: options.bytesCap });
  for (const e of events) splitter.push(e);
  return recorder;
}

/** sideBytes decodes one side's kept bytes from the detail, as the page does. */
function sideBytes(recorder: LiveRecorder, no: number, side: 'request' | 'response'): Buffer {
  return Buffer.from(detailOf(recorder.get(no)!)[side]!.base64, 'base64');
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: lab\r\nAccept: */*\r\n\r\n`;
const ok = (body: string): string => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n';

const split = (s: string, at: number[]): string[] => {
  const out: string[] = [];
  let prev = 0;
  for (const a of at) {
    out.push(s.slice(prev, a));
    prev = a;
  }
  out.push(s.slice(prev));
  return out.filter((p) => p !== '');
};

const cases: Array<{ name: string; client: string[]; server: string[]; want: Array<{ request: string; response: string }> }> = [
  { name: 'one exchange', client: [get('/a')], server: [ok('hi')], want: [{ request: get('/a'), response: ok('hi') }] },
  {
    name: 'pipelined in one chunk each way',
    client: [get('/a') + get('/b')],
    server: [ok('one') + ok('two')],
    want: [{ request: get('/a'), response: ok('one') }, { request: get('/b'), response: ok('two') }],
  },
  {
    name: 'chunked response with trailers keeps the framing',
    client: [get('/c')],
    server: split(chunked, [10, 60, 70]),
    want: [{ request: get('/c'), response: chunked }],
  },
  {
    name: 'interim 100 Continue is part of the response bytes',
    client: ['PUT /u HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n', 'abc'],
    server: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'],
    want: [{ request: 'PUT /u HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc', response: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n' }],
  },
];

for (const c of cases) {
  test(`LiveRecorder: ${c.name}: bytes exactly as sent`, () => {
    // client pieces first, then the server's: the splitter pairs them whatever the interleaving
    const r = record(conversation(1, [...c.client.map((p) => ['client', p] as const), ...c.server.map((p) => ['server', p] as const)]));
    assert.equal(r.ring.size, c.want.length);
    c.want.forEach((w, i) => {
      assert.equal(sideBytes(r, i + 1, 'request').toString('latin1'), w.request);
      assert.equal(sideBytes(r, i + 1, 'response').toString('latin1'), w.response);
      assert.equal(r.get(i + 1)!.state, 'done');
    });
  });

  test(`LiveRecorder: ${c.name}: same bytes when every byte is its own data event`, () => {
    const bytewise = (pieces: string[]): string[] => [...pieces.join('')];
    const r = record(conversation(1, [...bytewise(c.client).map((p) => ['client', p] as const), ...bytewise(c.server).map((p) => ['server', p] as const)]));
    c.want.forEach((w, i) => {
      assert.equal(sideBytes(r, i + 1, 'request').toString('latin1'), w.request);
      assert.equal(sideBytes(r, i + 1, 'response').toString('latin1'), w.response);
    });
  });
}

test('LiveRecorder: a body past the cap is cut in the copy, counted in full, and the next pipelined message stays exact', () => {
  const big = 'x'.repeat(5000);
  const r = record(conversation(1, [['client', get('/big') + get('/next')], ['server', ok(big).slice(0, 3000)], ['server', ok(big).slice(3000) + ok('tail')]]), { bytesCap: 1024 });
  const first = detailOf(r.get(1)!).response!;
  assert.equal(first.kept, 1024);
  assert.equal(first.wireSize, ok(big).length);
  assert.equal(first.truncated, true);
  assert.equal(Buffer.from(first.base64, 'base64').toString('latin1'), ok(big).slice(0, 1024));
  assert.equal(summarize(r.get(1)!).size, ok(big).length);
  assert.equal(sideBytes(r, 2, 'response').toString('latin1'), ok('tail'));
  assert.equal(sideBytes(r, 2, 'request').toString('latin1'), get('/next'));
});

test('LiveRecorder: the ring keeps the newest `capacity` exchanges, numbered from 1', () => {
  const events = [1, 2, 3, 4, 5].flatMap((id) => conversation(id, [['client', get(`/${id}`)], ['server', ok(String(id))]]));
  const r = record(events, { capacity: 3 });
  assert.equal(r.ring.size, 3);
  assert.equal(r.first, 3);
  assert.equal(r.get(2), undefined);
  assert.equal(r.get(6), undefined);
  assert.deepEqual([3, 4, 5].map((no) => summarize(r.get(no)!).target), ['/3', '/4', '/5']);
});

test('LiveRecorder: the byte budget drops the oldest exchanges whatever the capacity', () => {
  const body = 'y'.repeat(4000);
  const events = [1, 2, 3, 4, 5, 6].flatMap((id) => conversation(id, [['client', get(`/${id}`)], ['server', ok(body)]]));
  const r = record(events, { capacity: 100, budget: 20_000 });
  assert.ok(r.ring.size < 6 && r.ring.size >= 1, `kept ${r.ring.size}`);
  assert.ok(r.heldBytes <= 20_000, `held ${r.heldBytes}`);
  assert.equal(summarize(r.ring.at(r.ring.size - 1)!).target, '/6');
});

test('LiveRecorder: listeners see an add at the request head, then updates until done', () => {
  const r = new LiveRecorder();
  const seen: string[] = [];
  r.listen((e, change) => seen.push(`${change} ${e.no} ${summarize(e).status ?? '-'} ${e.state}`));
  const splitter = new ExchangeSplitter([r]);
  for (const e of conversation(1, [['client', get('/a')], ['server', 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n'], ['server', 'abc']])) splitter.push(e);
  assert.deepEqual(seen, ['add 1 - open', 'update 1 - open', 'update 1 404 open', 'update 1 404 done']);
});

test('LiveRecorder: a connection cut mid-body marks the exchange cut and keeps what arrived', () => {
  const r = record(conversation(1, [['client', get('/a')], ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']]));
  const e = r.get(1)!;
  assert.equal(e.state, 'cut');
  assert.match(e.cut!, /in the middle of the response body \(3 bytes of it arrived\)/);
  assert.equal(sideBytes(r, 1, 'response').toString('latin1'), 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  assert.equal(summarize(e).size, null);
});

test('LiveRecorder: a request left without any response is cut when its connection closes', () => {
  const r = record(conversation(1, [['client', get('/a')]]));
  assert.equal(r.get(1)!.state, 'cut');
  assert.match(r.get(1)!.cut!, /connection closed \(client FIN\) before the response was complete/);
});

test('detailOf: each field line, the start line and the empty line point at their own bytes', () => {
  const request = 'POST /form?x=1 HTTP/1.1\r\nHost: lab\r\nContent-Type: text/plain\r\nX-Empty:\r\nContent-Length: 4\r\n\r\nbody';
  const r = record(conversation(1, [['client', get('/first') + request], ['server', ok('1') + chunked]]));
  const d = detailOf(r.get(2)!);
  const bytes = Buffer.from(d.request!.base64, 'base64');
  const at = (o: { offset: number; length: number }): string => bytes.toString('latin1', o.offset, o.offset + o.length);
  const m = d.request!.messages[0]!;
  assert.equal(m.offset, 0);
  assert.equal(m.startLine.text, 'POST /form?x=1 HTTP/1.1');
  assert.equal(at(m.startLine), 'POST /form?x=1 HTTP/1.1\r\n');
  assert.deepEqual(m.fields.map((f) => [f.name, f.value, at(f)]), [
    ['Host', 'lab', 'Host: lab\r\n'],
    ['Content-Type', 'text/plain', 'Content-Type: text/plain\r\n'],
    ['X-Empty', '', 'X-Empty:\r\n'],
    ['Content-Length', '4', 'Content-Length: 4\r\n'],
  ]);
  assert.equal(at(m.headEnd), '\r\n');
  assert.equal(bytes.toString('latin1', m.body.offset, m.body.offset + m.body.wireLength), 'body');
  assert.equal(d.summary.seq, 2);
  assert.deepEqual(d.commands, { curl: "curl -H 'Content-Type: text/plain' -H 'X-Empty;' --data-raw body 'http://lab/form?x=1'", wirehttp: "wirehttp request -H 'Content-Type: text/plain' -H 'X-Empty;' --data-raw body 'http://lab/form?x=1'" });
  // the chunked response of the same exchange: chunk size lines and trailers located too
  const res = d.response!.messages[0]!;
  const rb = Buffer.from(d.response!.base64, 'base64');
  assert.deepEqual(res.body.chunks.map((c) => rb.toString('latin1', c.offset, c.offset + c.sizeLine.length)), ['5;ext=1', '0']);
  assert.deepEqual(res.trailers, [{ name: 'X-Sum', value: '42' }]);
  assert.equal(res.body.framing, 'chunked');
  assert.equal(rb.toString('latin1', res.body.offset, res.body.offset + res.body.wireLength), '5;ext=1\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n');
  assert.deepEqual(d.why.map((n) => n.topic), ['keep-alive']);
});

test('detailOf: interim and final responses are both located in the response bytes', () => {
  const r = record(conversation(1, [['client', 'PUT /u HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz'], ['server', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n']]));
  const d = detailOf(r.get(1)!);
  const rb = Buffer.from(d.response!.base64, 'base64');
  assert.deepEqual(d.response!.messages.map((m) => [m.kind, m.startLine.text, rb.toString('latin1', m.startLine.offset, m.startLine.offset + m.startLine.length)]), [
    ['interim', 'HTTP/1.1 100 Continue', 'HTTP/1.1 100 Continue\r\n'],
    ['response', 'HTTP/1.1 204 No Content', 'HTTP/1.1 204 No Content\r\n'],
  ]);
  assert.equal(rb.toString('latin1', d.response!.messages[1]!.fields[0]!.offset, d.response!.messages[1]!.fields[0]!.offset + 8), 'X-A: 1\r\n');
  assert.deepEqual(d.why.map((n) => n.topic), ['expect-continue', 'keep-alive']);
});

test('summarize: row fields', () => {
  const r = record(conversation(7, [['client', get('/a?b')], ['server', 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n']], { start: 1000, clientPort: 5555 }));
  const s = summarize(r.get(1)!);
  assert.deepEqual({ ...s, t: undefined, dur: undefined }, {
    no: 1, t: undefined, conn: 7, seq: 1, client: '127.0.0.1:5555', method: 'GET', target: '/a?b', status: 404, reason: 'Not Found', size: 45, dur: undefined, state: 'done',
    text: `${get('/a?b')}HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n`,
  });
  assert.equal(s.t, 1001);
  assert.equal(s.dur, 1);
});
