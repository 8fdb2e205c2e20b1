import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RequestParser, ResponseParser, WireError, type ResponseHead } from '../wire/index.js';
import { eventSink, splits } from '../wire/fixture-runner.test-util.js';
import { Reframer, type ReframeSwitch } from './reframer.js';

/** run gives the Reframer the client's requests, then the upstream's bytes in `pieces`. */
async function run(switches: readonly ReframeSwitch[], requests: Buffer[], pieces: Buffer[]): Promise<{ output: string; closed: boolean }> {
  let closed = false;
  const reframer = new Reframer(switches, () => (closed = true));
  for (const r of requests) reframer.request(r);
  const out: Buffer[] = [];
  reframer.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => reframer.on('end', resolve));
  for (const p of pieces) reframer.write(p);
  reframer.end();
  await ended;
  return { output: Buffer.concat(out).toString('latin1'), closed };
}

/**
 * clientView parses what the client received as the client would (methods in order; a close ends a
 * close-delimited body), with exact heads: two outputs that differ only in chunk sizes read the same.
 */
function clientView(requests: string, output: string): string[] {
  const log: string[] = [];
  const bytes = Buffer.from(output, 'latin1');
  const responses = new ResponseParser(eventSink(log, (h: ResponseHead) => `head ${JSON.stringify(bytes.toString('latin1', h.offset, h.offset + h.headBytes))}`));
  const methods = new RequestParser({ onHead: (h) => responses.expect(h.method), onBody: () => {}, onTrailers: () => {}, onEnd: () => {} });
  try {
    methods.feed(Buffer.from(requests, 'latin1'));
  } catch {
    // requests that are not HTTP pair with nothing
  }
  try {
    responses.feed(bytes);
    responses.finish();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    log.push(`error ${error.code}`);
  }
  return log;
}

interface Case {
  name: string;
  switches: ReframeSwitch[];
  /** What the client sent (all of it reaches the reframer before the first response byte). */
  requests: string;
  /** What the upstream server answered. */
  responses: string;
  /** What the client receives, fed whole. */
  want: string;
  /** The reframer asked for the client's connection to close after the last response it sent. */
  close?: boolean;
}

const GET = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
const HEAD = 'HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n';
const GET10 = 'GET /a HTTP/1.0\r\n\r\n';
const GET10_KEEP = 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
const GET11_KEEP = 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
const CL = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-T: t\r\n\r\n';

const cases: Case[] = [
  // --chunked
  {
    name: '--chunked: a Content-Length body goes out as chunks, then the last chunk',
    switches: ['chunked'], requests: GET, responses: CL,
    want: 'HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  },
  {
    name: '--chunked: a chunked response passes unchanged (extensions and trailers too)',
    switches: ['chunked'], requests: GET, responses: CHUNKED, want: CHUNKED,
  },
  {
    name: '--chunked: HEAD answer untouched',
    switches: ['chunked'], requests: HEAD, responses: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
    want: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
  },
  {
    name: '--chunked: 204, 304 and Content-Length 0 untouched',
    switches: ['chunked'], requests: GET + GET + GET,
    responses: 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    want: 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
  },
  {
    name: '--chunked: a 1.0 client cannot read chunked, its answer passes unchanged',
    switches: ['chunked'], requests: GET10, responses: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    want: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  },
  {
    name: '--chunked: a close-delimited 1.0 answer becomes a 1.1 chunked one that says it closes; the last chunk comes at the close',
    switches: ['chunked'], requests: GET, responses: 'HTTP/1.0 200 OK\r\nServer: py\r\n\r\nall of it',
    want: 'HTTP/1.1 200 OK\r\nServer: py\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n9\r\nall of it\r\n0\r\n\r\n',
  },
  {
    name: '--chunked: 100 Continue passes, the final answer is re-framed',
    switches: ['chunked'], requests: 'PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz',
    responses: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    want: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  },
  {
    name: '--chunked: pipelined answers on one upstream connection keep their order, each framed for its request',
    switches: ['chunked'], requests: GET + HEAD + GET + GET10_KEEP + GET,
    responses: `${CL}HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n${CHUNKED}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend`,
    want:
      'HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
      `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n${CHUNKED}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi` +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nend\r\n0\r\n\r\n',
  },
  {
    name: '--chunked: requests that are not HTTP pair with nothing: the answer passes unchanged',
    switches: ['chunked'], requests: 'HELLO THERE\r\n\r\n', responses: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad',
    want: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad',
  },
  // --http1.0
  {
    name: '--http1.0: a chunked body is de-chunked and ends at the close; trailers dropped',
    switches: ['http1.0'], requests: GET + GET, responses: CHUNKED + CL,
    want: 'HTTP/1.0 200 OK\r\nX-A: 1\r\nConnection: close\r\n\r\nhello', close: true,
  },
  {
    name: '--http1.0: a 1.1 client that did not ask for keep-alive is closed after a Content-Length answer',
    switches: ['http1.0'], requests: GET + GET, responses: CL + CL,
    want: 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nConnection: close\r\n\r\nhello', close: true,
  },
  {
    name: '--http1.0: keep-alive asked (1.0 or 1.1) and a known length keep the connection, and say so',
    switches: ['http1.0'], requests: GET10_KEEP + GET11_KEEP + GET,
    responses: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello' + CL + CL,
    want:
      'HTTP/1.0 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n\r\nhello' +
      'HTTP/1.0 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\nhello' +
      'HTTP/1.0 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nConnection: close\r\n\r\nhello',
    close: true,
  },
  {
    name: '--http1.0: keep-alive asked but the length is unknown (chunked): close',
    switches: ['http1.0'], requests: GET10_KEEP + GET, responses: CHUNKED + CL,
    want: 'HTTP/1.0 200 OK\r\nX-A: 1\r\nConnection: close\r\n\r\nhello', close: true,
  },
  {
    name: '--http1.0: keep-alive asked but the upstream closes after this answer: close',
    switches: ['http1.0'], requests: GET10_KEEP, responses: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi',
    want: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi', close: true,
  },
  {
    name: '--http1.0: HEAD of a chunked GET and a 204 keep a kept connection; the chunked coding is gone',
    switches: ['http1.0'], requests: 'HEAD /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' + GET10_KEEP + GET10,
    responses: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n',
    want: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nHTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\nHTTP/1.0 304 Not Modified\r\nConnection: close\r\n\r\n',
    close: true,
  },
  {
    name: '--http1.0: interim 1xx answers are dropped (HTTP/1.0 has none)',
    switches: ['http1.0'], requests: 'PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz',
    responses: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    want: 'HTTP/1.0 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', close: true,
  },
  {
    name: '--http1.0: a close-delimited answer stays so, and says it closes',
    switches: ['http1.0'], requests: GET10_KEEP, responses: 'HTTP/1.0 200 OK\r\nServer: py\r\n\r\nall of it',
    want: 'HTTP/1.0 200 OK\r\nServer: py\r\nConnection: close\r\n\r\nall of it',
  },
  {
    name: '--http1.0 --chunked: no length is sent, so every body runs to the close (as serve does)',
    switches: ['chunked', 'http1.0'], requests: GET10_KEEP + GET, responses: CL + CL,
    want: 'HTTP/1.0 200 OK\r\nX-A: 1\r\nConnection: close\r\n\r\nhello', close: true,
  },
  // both, where nothing may change
  {
    name: 'a 101 switch passes unchanged and what follows is not HTTP',
    switches: ['chunked', 'http1.0'], requests: 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n',
    responses: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nHTTP/9 frames',
    want: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nHTTP/9 frames',
  },
  {
    name: 'an answer that is not HTTP/1.x passes as received',
    switches: ['chunked', 'http1.0'], requests: GET, responses: 'SSH-2.0-OpenSSH\r\n\r\nmore', want: 'SSH-2.0-OpenSSH\r\n\r\nmore',
  },
];

describe('Reframer: raw upstream bytes in, what the client receives out', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const requests = Buffer.from(c.requests, 'latin1');
      const input = Buffer.from(c.responses, 'latin1');
      const whole = await run(c.switches, [requests], [input]);
      assert.equal(whole.output, c.want);
      assert.equal(whole.closed, c.close === true, 'close after the answer');
      const bytewiseRequests = [...requests].map((b) => Buffer.from([b]));
      assert.deepEqual(await run(c.switches, bytewiseRequests, [input]), whole, 'requests fed byte by byte');
      // However the upstream's bytes arrive, the client reads the same messages (chunk sizes may differ).
      const view = clientView(c.requests, c.want);
      for (const { how, chunks } of splits(input)) {
        const got = await run(c.switches, [requests], chunks);
        assert.deepEqual(clientView(c.requests, got.output), view, `upstream bytes fed ${how}`);
        assert.equal(got.closed, whole.closed, `close, upstream bytes fed ${how}`);
      }
    });
  }

  test('chunks follow the upstream reads: one chunk per piece of body, never an empty one', async () => {
    const pieces = ['HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n', 'ab', 'cde', 'f'].map((s) => Buffer.from(s, 'latin1'));
    const { output } = await run(['chunked'], [Buffer.from(GET, 'latin1')], pieces);
    assert.equal(output, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n1\r\nf\r\n0\r\n\r\n');
  });

  test('an answer cut short by the upstream close gets no last chunk (the client sees it incomplete)', async () => {
    const { output } = await run(['chunked'], [Buffer.from(GET, 'latin1')], [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhal', 'latin1')]);
    assert.equal(output, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhal\r\n');
  });
});
