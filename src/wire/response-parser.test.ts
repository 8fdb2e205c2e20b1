import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResponseHead } from './message.js';
import { ResponseParser } from './response-parser.js';
import { RequestParser } from './request-parser.js';
import { serializeRequestHead, serializeResponseHead } from './serialize.js';
import { lastChunk, chunkHead } from './chunked.js';
import { eventSink, run, splits } from './fixture-runner.test-util.js';
import { WireError } from './errors.js';

function describeHead(h: ResponseHead): string {
  const fields = [...h.headers].map(([k, v]) => `${k}: ${v}`).join(', ');
  const framing = h.framing.kind === 'length' ? `length ${h.framing.length}` : h.framing.kind;
  return `head ${h.status} ${JSON.stringify(h.reason)} 1.${h.versionMinor} [${fields}] ${framing} ${h.keepAlive ? 'keep-alive' : 'close'}`;
}

interface Case {
  name: string;
  methods: string[];
  input: string;
  finish?: boolean;
  want: string[];
}

const cases: Case[] = [
  { name: 'Content-Length body', methods: ['GET'], input: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', want: ['head 200 "OK" 1.1 [Content-Length: 2] length 2 keep-alive', 'body "hi"', 'end'] },
  { name: '1xx then final response', methods: ['PUT'], input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', want: ['head 100 "Continue" 1.1 [] none keep-alive', 'end', 'head 201 "Created" 1.1 [Content-Length: 0] none keep-alive', 'end'] },
  { name: '204 and 304 have no body', methods: ['GET', 'GET'], input: 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', want: ['head 204 "No Content" 1.1 [] none keep-alive', 'end', 'head 304 "Not Modified" 1.1 [Content-Length: 10] none keep-alive', 'end'] },
  { name: 'HEAD response has no body', methods: ['HEAD', 'GET'], input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', want: ['head 200 "OK" 1.1 [Content-Length: 5] none keep-alive', 'end', 'head 200 "OK" 1.1 [Content-Length: 1] length 1 keep-alive', 'body "x"', 'end'] },
  { name: 'chunked with trailers', methods: ['GET'], input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n0\r\nExpires: never\r\n\r\n', want: ['head 200 "OK" 1.1 [Transfer-Encoding: chunked] chunked keep-alive', 'body "Wiki"', 'trailers [Expires: never]', 'end'] },
  { name: 'TE wins over CL in a response', methods: ['GET'], input: 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n', want: ['head 200 "OK" 1.1 [Content-Length: 99, Transfer-Encoding: chunked] chunked keep-alive', 'body "a"', 'end'] },
  { name: 'close-delimited body ends at finish()', methods: ['GET'], input: 'HTTP/1.0 200 OK\r\n\r\nall of it', finish: true, want: ['head 200 "OK" 1.0 [] close close', 'body "all of it"', 'end'] },
  { name: 'EOF inside a length body', methods: ['GET'], input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab', finish: true, want: ['head 200 "OK" 1.1 [Content-Length: 5] length 5 keep-alive', 'body "ab"', 'error INCOMPLETE_MESSAGE @40'] },
  { name: 'no reason phrase', methods: ['GET'], input: 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', want: ['head 404 "" 1.1 [Content-Length: 0] none keep-alive', 'end'] },
  { name: 'Connection: close', methods: ['GET'], input: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', want: ['head 200 "OK" 1.1 [Connection: close, Content-Length: 0] none close', 'end'] },
  { name: 'bare LF accepted and obs-fold joined', methods: ['GET'], input: 'HTTP/1.1 200 OK\nX-A: one\n  two\nContent-Length: 0\n\n', want: ['head 200 "OK" 1.1 [X-A: one two, Content-Length: 0] none keep-alive', 'end'] },
  { name: 'bad status code', methods: ['GET'], input: 'HTTP/1.1 2x0 OK\r\n\r\n', want: ['error BAD_STATUS @10'] },
  { name: 'not HTTP', methods: ['GET'], input: 'SSH-2.0-OpenSSH\r\n\r\n', want: ['error BAD_VERSION @0'] },
  { name: 'CONNECT 200 pauses for the tunnel', methods: ['CONNECT'], input: 'HTTP/1.1 200 Connection Established\r\n\r\nrawbytes', want: ['head 200 "Connection Established" 1.1 [] none keep-alive', 'end', 'paused at 39'] },
];

describe('ResponseParser fixtures, whole, bytewise and split at every offset', () => {
  for (const c of cases) {
    test(c.name, () => {
      for (const { how, chunks } of splits(Buffer.from(c.input, 'latin1'))) {
        const log = run((l) => {
          const p = new ResponseParser(eventSink(l, describeHead));
          for (const m of c.methods) p.expect(m);
          return p;
        }, chunks, c.finish === true);
        assert.deepEqual(log, c.want, `fed ${how}`);
      }
    });
  }
});

describe('serializer', () => {
  test('request head round-trips through the request parser', () => {
    const text = serializeRequestHead('POST', '/p?q=1', ['Host', 'h', 'X-Case', 'KeEp', 'Transfer-Encoding', 'chunked']) + chunkHead(3) + 'abc\r\n' + lastChunk(['X-T', '1']);
    const log: string[] = [];
    const parser = new RequestParser(eventSink(log, (h) => `${h.method} ${h.target} ${h.headers.raw.join('|')}`));
    parser.feed(Buffer.from(text, 'latin1'));
    assert.deepEqual(log, ['POST /p?q=1 Host|h|X-Case|KeEp|Transfer-Encoding|chunked', 'body "abc"', 'trailers [X-T: 1]', 'end']);
  });

  test('response head round-trips through the response parser', () => {
    const text = serializeResponseHead(200, undefined, ['Content-Length', '1']) + 'z';
    const log: string[] = [];
    new ResponseParser(eventSink(log, describeHead)).feed(Buffer.from(text));
    assert.deepEqual(log, ['head 200 "OK" 1.1 [Content-Length: 1] length 1 keep-alive', 'body "z"', 'end']);
  });

  const splitting = [
    { name: 'CRLF in a value', headers: ['X', 'a\r\nSet-Cookie: x=1'], code: 'BAD_HEADER_VALUE' },
    { name: 'LF in a value', headers: ['X', 'a\nb'], code: 'BAD_HEADER_VALUE' },
    { name: 'NUL in a value', headers: ['X', 'a\0'], code: 'BAD_HEADER_VALUE' },
    { name: 'colon in a name', headers: ['X:Y', '1'], code: 'BAD_HEADER_NAME' },
    { name: 'space in a name', headers: ['X Y', '1'], code: 'BAD_HEADER_NAME' },
  ];
  for (const c of splitting) {
    test(`refuses ${c.name}`, () => {
      assert.throws(() => serializeResponseHead(200, 'OK', c.headers), (e: unknown) => e instanceof WireError && e.code === c.code);
    });
  }
});
