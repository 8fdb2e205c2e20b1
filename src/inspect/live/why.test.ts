import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchangesOf, conversation, exchange } from './live.test-util.js';
import { whyNotes, type WhyTopic } from './why.js';

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';

const cases: Array<{ name: string; request: string; response: string; want: WhyTopic[]; says: RegExp[] }> = [
  {
    name: '304 from If-None-Match names both tags',
    request: 'GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: "v1"\r\n\r\n',
    response: 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n',
    want: ['not-modified', 'keep-alive'],
    says: [/If-None-Match: "v1" matches the resource's current ETag \("v1"\)/, /§13\.1\.2/],
  },
  {
    name: '304 with both validators: If-None-Match wins',
    request: 'GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: "v1"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n',
    response: 'HTTP/1.1 304 Not Modified\r\n\r\n',
    want: ['not-modified', 'keep-alive'],
    says: [/If-Modified-Since was ignored: If-None-Match takes precedence/],
  },
  {
    name: '304 from If-Modified-Since',
    request: 'GET /a HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n',
    response: 'HTTP/1.1 304 Not Modified\r\nLast-Modified: Sat, 05 Nov 1994 08:49:37 GMT\r\n\r\n',
    want: ['not-modified', 'keep-alive'],
    says: [/not changed since If-Modified-Since: Sun, 06 Nov 1994/, /Last-Modified: Sat, 05 Nov/],
  },
  {
    name: '304 to an unconditional request',
    request: 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n',
    response: 'HTTP/1.1 304 Not Modified\r\n\r\n',
    want: ['not-modified', 'keep-alive'],
    says: [/carried no If-None-Match or If-Modified-Since/],
  },
  {
    name: '206 from Range',
    request: 'GET /big HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n',
    response: 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/10\r\nContent-Length: 2\r\n\r\nab',
    want: ['partial-content', 'keep-alive'],
    says: [/Range: bytes=0-1/, /Content-Range: bytes 0-1\/10/],
  },
  {
    name: '206 with If-Range',
    request: 'GET /big HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: "v1"\r\n\r\n',
    response: 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/10\r\nContent-Length: 2\r\n\r\nab',
    want: ['partial-content', 'keep-alive'],
    says: [/If-Range: "v1" still matched/],
  },
  {
    name: '206 multipart',
    request: 'GET /big HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,4-5\r\n\r\n',
    response: 'HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary=B\r\nContent-Length: 0\r\n\r\n',
    want: ['partial-content', 'keep-alive'],
    says: [/multipart\/byteranges/],
  },
  {
    name: '416 gives the real length',
    request: 'GET /big HTTP/1.1\r\nHost: x\r\nRange: bytes=500-\r\n\r\n',
    response: 'HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */10\r\nContent-Length: 0\r\n\r\n',
    want: ['range-not-satisfiable', 'keep-alive'],
    says: [/Range: bytes=500- lies wholly outside/, /Content-Range: bytes \*\/10/],
  },
  {
    name: 'Range answered with 200 because If-Range failed',
    request: 'GET /big HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: "old"\r\n\r\n',
    response: ok,
    want: ['range-ignored', 'keep-alive'],
    says: [/If-Range: "old" no longer matches/],
  },
  {
    name: 'Range answered with 200 by choice',
    request: 'GET /gen HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\nAccept-Ranges: none\r\nContent-Length: 2\r\n\r\nhi',
    want: ['range-ignored', 'keep-alive'],
    says: [/ignored Range: bytes=0-1/, /Accept-Ranges: none/],
  },
  {
    name: '405 with Allow',
    request: 'DELETE /file HTTP/1.1\r\nHost: x\r\n\r\n',
    response: 'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n',
    want: ['method-not-allowed', 'keep-alive'],
    says: [/does not take DELETE; Allow lists the methods it does: GET, HEAD/],
  },
  {
    name: '405 without Allow',
    request: 'PUT /file HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    response: 'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n',
    want: ['method-not-allowed', 'keep-alive'],
    says: [/should have listed the methods it does take in an Allow header/],
  },
  {
    name: 'client asked to close',
    request: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi',
    want: ['connection-close'],
    says: [/the client asked for it/],
  },
  {
    name: 'server decided to close',
    request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    response: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    want: ['connection-close'],
    says: [/the server decided to/],
  },
  {
    name: 'HTTP/1.0 without keep-alive',
    request: 'GET / HTTP/1.0\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi',
    want: ['connection-close'],
    says: [/HTTP\/1\.0 request without Connection: keep-alive/],
  },
  {
    name: 'HTTP/1.0 with keep-alive',
    request: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi',
    want: ['keep-alive'],
    says: [/HTTP\/1\.0 client asked for Connection: keep-alive/],
  },
  {
    name: 'body delimited by close',
    request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\n\r\nuntil the end',
    want: ['connection-close'],
    says: [/neither Content-Length nor chunked coding/],
  },
  {
    name: 'plain keep-alive',
    request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    response: ok,
    want: ['keep-alive'],
    says: [/HTTP\/1\.1 connections persist/],
  },
  {
    name: '100-continue honoured',
    request: 'PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi',
    response: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n',
    want: ['expect-continue', 'keep-alive'],
    says: [/waited for the server's 100 Continue/],
  },
  {
    name: '100-continue refused early',
    request: 'PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n',
    response: 'HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n',
    want: ['expect-continue', 'keep-alive'],
    says: [/answered 413 straight away instead of 100 Continue, refusing/],
  },
];

for (const c of cases) {
  test(`whyNotes: ${c.name}`, () => {
    const ex = exchange(c.request, c.response);
    const notes = whyNotes({ request: ex.request?.head, response: ex.response!.head, interim: ex.interim.map((m) => m.head), sequence: ex.sequence });
    assert.deepEqual(notes.map((n) => n.topic), c.want);
    const text = notes.map((n) => n.text).join('\n');
    for (const re of c.says) assert.match(text, re);
  });
}

test('whyNotes: the second exchange on a connection says it was reused', () => {
  const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
  const [, second] = exchangesOf(conversation(1, [['client', req + req], ['server', ok + ok]]));
  const notes = whyNotes({ request: second!.request!.head, response: second!.response!.head, sequence: second!.sequence });
  assert.match(notes.at(-1)!.text, /exchange 2 on the connection: it was reused/);
});
