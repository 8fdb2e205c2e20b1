import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawExchange, openRaw, sleep, statusLines } from '../../test/support/raw.js';
import { createServer, type Server } from './server.js';
import { HttpError } from './http-error.js';
import type { Handler } from './types.js';

const routes: Record<string, Handler> = {
  '/': (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello');
  },
  '/slow': async (req, res) => {
    await sleep(Number(new URLSearchParams(req.query).get('ms') ?? '50'));
    res.end(`slow ${req.query}`);
  },
  '/echo': async (req, res) => res.end(await req.text()),
  '/stream': (_req, res) => {
    res.write('a');
    res.write('bc');
    res.end();
  },
  '/throw': () => {
    throw new Error('boom at /secret/path');
  },
  '/reject': async () => {
    throw new Error('rejected');
  },
  '/teapot': () => {
    throw new HttpError(418, 'short and stout');
  },
  '/throw-after-head': (_req, res) => {
    res.write('partial');
    throw new Error('late');
  },
  '/count': async (req, res) => {
    let n = 0;
    for await (const chunk of req.body) n += (chunk as Buffer).length;
    res.end(String(n));
  },
  '/close': (_req, res) => res.closeAfter().end('bye'),
  '/trailers': async (req, res) => {
    await req.bytes();
    res.end(JSON.stringify(req.trailers?.toObject() ?? {}));
  },
};

const handler: Handler = (req, res) => {
  const route = routes[req.path];
  if (route === undefined) {
    res.status(404).end('not found');
    return;
  }
  return route(req, res);
};

let server: Server;
let port: number;
const errors: unknown[] = [];

before(async () => {
  server = createServer(handler, {
    headersTimeout: 300,
    bodyTimeout: 300,
    keepAliveTimeout: 400,
    maxRequestsPerConnection: 3,
    limits: { maxBodyBytes: 1000, maxStartLine: 200, maxHeadBytes: 400, maxHeaderCount: 10 },
  });
  server.onError((e) => errors.push(e));
  port = (await server.listen(0, '127.0.0.1')).port;
});
after(() => server.close());

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

interface Case {
  name: string;
  input: string | string[];
  want: string[];
  /** Patterns the whole output must match. */
  match?: RegExp[];
  /** Patterns it must not match. */
  not?: RegExp[];
}

const cases: Case[] = [
  { name: 'simple GET', input: GET('/'), want: ['HTTP/1.1 200 OK'], match: [/Content-Length: 5\r\n/, /Date: \w{3}, /, /Server: wirehttp/, /\r\n\r\nhello$/] },
  { name: 'HEAD has GET headers, no body', input: `HEAD / HTTP/1.1\r\nHost: t\r\n\r\n`, want: ['HTTP/1.1 200 OK'], match: [/Content-Length: 5\r\n/, /\r\n\r\n$/] },
  { name: 'pipelined responses keep request order', input: GET('/slow?ms=80') + GET('/slow?ms=1') + GET('/'), want: ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'], match: [/slow ms=80[\s\S]*slow ms=1[\s\S]*hello$/] },
  { name: 'HTTP/1.0 closes by default', input: `GET / HTTP/1.0\r\n\r\n`, want: ['HTTP/1.1 200 OK'], match: [/Connection: close/] },
  { name: 'HTTP/1.0 keep-alive when asked', input: `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n` + `GET / HTTP/1.0\r\n\r\n`, want: ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'], match: [/Connection: keep-alive[\s\S]*Connection: close/] },
  { name: 'Connection: close stops the pipeline', input: GET('/', 'Connection: close\r\n') + GET('/'), want: ['HTTP/1.1 200 OK'], match: [/Connection: close/] },
  { name: 'streamed body is chunked on 1.1', input: GET('/stream'), want: ['HTTP/1.1 200 OK'], match: [/Transfer-Encoding: chunked\r\n/, /\r\n\r\n1\r\na\r\n2\r\nbc\r\n0\r\n\r\n$/] },
  { name: 'streamed body is close-delimited on 1.0', input: `GET /stream HTTP/1.0\r\n\r\n`, want: ['HTTP/1.1 200 OK'], match: [/Connection: close\r\n/, /\r\n\r\nabc$/], not: [/Transfer-Encoding/] },
  { name: 'Content-Length body echoed', input: `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde`, want: ['HTTP/1.1 200 OK'], match: [/\r\n\r\nabcde$/] },
  { name: 'chunked body with trailers', input: `POST /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 9\r\n\r\n`, want: ['HTTP/1.1 200 OK'], match: [/\{"x-sum":"9"\}$/] },
  { name: 'unknown expectation is 417', input: `POST /echo HTTP/1.1\r\nHost: t\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx`, want: ['HTTP/1.1 417 Expectation Failed'] },
  { name: 'OPTIONS * answers Allow', input: `OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n`, want: ['HTTP/1.1 200 OK'], match: [/Allow: GET, HEAD/] },
  { name: 'sync throw is a 500 without details, connection usable', input: GET('/throw') + GET('/'), want: ['HTTP/1.1 500 Internal Server Error', 'HTTP/1.1 200 OK'], not: [/secret/, /boom/] },
  { name: 'rejection is a 500', input: GET('/reject'), want: ['HTTP/1.1 500 Internal Server Error'] },
  { name: 'HttpError gives its status and message', input: GET('/teapot'), want: ["HTTP/1.1 418 I'm a Teapot"], match: [/short and stout/] },
  { name: 'throw after the head cuts the message', input: GET('/throw-after-head') + GET('/'), want: ['HTTP/1.1 200 OK'], match: [/7\r\npartial\r\n$/] },
  { name: 'max requests per connection', input: GET('/') + GET('/') + GET('/') + GET('/'), want: ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'], match: [/Connection: close\r\n[^]*hello$/] },
  { name: 'handler closeAfter', input: GET('/close') + GET('/'), want: ['HTTP/1.1 200 OK'], match: [/Connection: close[^]*bye$/] },
  // protocol errors: the right status, a short body, then close
  { name: 'garbage request line', input: 'HELLO\r\n\r\n', want: ['HTTP/1.1 400 Bad Request'], match: [/Connection: close/] },
  { name: 'TE and CL together', input: `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, want: ['HTTP/1.1 400 Bad Request'], match: [/TE_AND_CL/] },
  { name: 'missing Host', input: 'GET / HTTP/1.1\r\n\r\n', want: ['HTTP/1.1 400 Bad Request'] },
  { name: 'HTTP/2.0 version', input: 'GET / HTTP/2.0\r\nHost: t\r\n\r\n', want: ['HTTP/1.1 505 HTTP Version Not Supported'] },
  { name: 'request-line too long', input: `GET /${'a'.repeat(300)} HTTP/1.1\r\nHost: t\r\n\r\n`, want: ['HTTP/1.1 414 URI Too Long'] },
  { name: 'header section too large', input: GET('/', `X-Big: ${'b'.repeat(500)}\r\n`), want: ['HTTP/1.1 431 Request Header Fields Too Large'] },
  { name: 'too many header fields', input: GET('/', 'A: 1\r\n'.repeat(11)), want: ['HTTP/1.1 431 Request Header Fields Too Large'] },
  { name: 'declared body over the limit', input: `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n`, want: ['HTTP/1.1 413 Content Too Large'] },
  { name: 'chunked body over the limit', input: `POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'x'.repeat(2048)}\r\n0\r\n\r\n`, want: ['HTTP/1.1 413 Content Too Large'] },
  { name: 'bad chunk size mid-body answers the exchange', input: `POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`, want: ['HTTP/1.1 400 Bad Request'], match: [/Connection: close/] },
  { name: 'earlier pipelined responses come before the error', input: GET('/slow?ms=30') + 'BAD\r\n\r\n', want: ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'] },
];

describe('engine over raw sockets', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const { output, timedOut } = await rawExchange(port, c.input);
      assert.equal(timedOut, false, 'server closed the connection');
      assert.deepEqual(statusLines(output), c.want, output);
      for (const re of c.match ?? []) assert.match(output, re);
      for (const re of c.not ?? []) assert.doesNotMatch(output, re);
    });
  }
});

test('Date and Server lines: each server its own name, none when empty, a handler may set its own', async () => {
  const handler: Handler = (req, res) => {
    if (req.path === '/own') res.setHeader('Server', 'mine').setHeader('Date', 'Thu, 01 Jan 2026 00:00:00 GMT');
    res.end('x');
  };
  const servers = [createServer(handler, { serverName: 'alpha' }), createServer(handler, { serverName: 'beta' }), createServer(handler, { serverName: '' })];
  const ports = await Promise.all(servers.map(async (s) => (await s.listen(0, '127.0.0.1')).port));
  const headOf = async (port: number, path = '/'): Promise<string> => {
    const { output } = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    return output.slice(0, output.indexOf('\r\n\r\n'));
  };
  // alternate, so a line kept from the previous response would show up on the wrong server
  for (let round = 0; round < 2; round++) {
    assert.match(await headOf(ports[0]!), /\r\nServer: alpha\r\n/);
    assert.match(await headOf(ports[1]!), /\r\nServer: beta\r\n/);
    const bare = await headOf(ports[2]!);
    assert.doesNotMatch(bare, /\r\nServer:/i);
    assert.match(bare, /\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  }
  const own = await headOf(ports[0]!, '/own');
  assert.equal(own.match(/\r\nServer: /g)?.length, 1);
  assert.equal(own.match(/\r\nDate: /g)?.length, 1);
  assert.match(own, /\r\nServer: mine\r\n/);
  assert.match(own, /\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n/);
  await Promise.all(servers.map((s) => s.close()));
});

test('Content-Length is right on both sides of the cached small lengths', async () => {
  const sizes = [0, 1, 12, 4095, 4096, 70_000];
  const server = createServer((req, res) => void res.end(Buffer.alloc(Number(req.path.slice(1)), 0x61)));
  const { port } = await server.listen(0, '127.0.0.1');
  for (const size of [...sizes, ...sizes]) {
    const { output } = await rawExchange(port, `GET /${size} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    const split = output.indexOf('\r\n\r\n');
    assert.match(output.slice(0, split), new RegExp(`\\r\\nContent-Length: ${size}(\\r\\n|$)`));
    assert.equal(output.length - split - 4, size);
  }
  await server.close();
});
