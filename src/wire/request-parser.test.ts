import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestHead } from './message.js';
import { RequestParser, type RequestParserOptions } from './request-parser.js';
import { eventSink, run, splits } from './fixture-runner.test-util.js';

function describeHead(h: RequestHead): string {
  const fields = [...h.headers].map(([k, v]) => `${k}: ${v}`).join(', ');
  const framing = h.framing.kind === 'length' ? `length ${h.framing.length}` : h.framing.kind;
  const flags = [h.keepAlive ? 'keep-alive' : 'close', h.expectContinue ? 'expect' : '', h.upgrade ? 'upgrade' : ''].filter(Boolean).join(' ');
  return `head ${h.method} ${h.target} ${h.targetForm} 1.${h.versionMinor} [${fields}] ${framing} ${flags} @${h.offset}+${h.headBytes}`;
}

interface Case {
  name: string;
  input: string;
  want: string[];
  options?: RequestParserOptions;
  /** Call finish() after the input (the peer closed). */
  finish?: boolean;
}

const limits = { maxStartLine: 40, maxHeadBytes: 60, maxHeaderCount: 3, maxBodyBytes: 10, maxChunkLine: 20 };

const cases: Case[] = [
  // request line and target forms
  { name: 'origin-form GET', input: 'GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n', want: ["head GET /a?b=1 origin 1.1 [Host: x] none keep-alive @0+32", "end"] },
  { name: 'absolute-form', input: 'GET http://x.test/p HTTP/1.1\r\nHost: x.test\r\n\r\n', want: ["head GET http://x.test/p absolute 1.1 [Host: x.test] none keep-alive @0+46", "end"] },
  { name: 'authority-form CONNECT pauses', input: 'CONNECT x.test:443 HTTP/1.1\r\nHost: x.test:443\r\n\r\nTLS', want: ["head CONNECT x.test:443 authority 1.1 [Host: x.test:443] none keep-alive upgrade @0+49", "end", "paused at 49"] },
  { name: 'asterisk-form OPTIONS', input: 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', want: ["head OPTIONS * asterisk 1.1 [Host: x] none keep-alive @0+31", "end"] },
  { name: 'asterisk with GET', input: 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_TARGET @4"] },
  { name: 'CONNECT with a path', input: 'CONNECT /x HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_TARGET @8"] },
  { name: 'relative target', input: 'GET a/b HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_TARGET @4"] },
  { name: 'leading empty line ignored', input: '\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n', want: ["head GET / origin 1.1 [Host: x] none keep-alive @2+27", "end"] },
  { name: 'leading bare LF ignored too', input: '\nGET / HTTP/1.1\r\nHost: x\r\n\r\n', want: ["head GET / origin 1.1 [Host: x] none keep-alive @1+27", "end"] },
  { name: 'two spaces after method', input: 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_START_LINE @4"] },
  { name: 'control byte in target', input: 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_TARGET @6"] },
  { name: 'non-token method', input: 'GE(T / HTTP/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_METHOD @2"] },
  { name: 'no version', input: 'GET /\r\nHost: x\r\n\r\n', want: ["error BAD_START_LINE @5"] },
  { name: 'lower-case version', input: 'GET / http/1.1\r\nHost: x\r\n\r\n', want: ["error BAD_VERSION @6"] },
  { name: 'version with junk', input: 'GET / HTTP/1.1x\r\nHost: x\r\n\r\n', want: ["error BAD_VERSION @6"] },
  { name: 'HTTP/2.0 unsupported', input: 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', want: ["error UNSUPPORTED_VERSION @6"] },
  { name: 'HTTP/1.2 unsupported', input: 'GET / HTTP/1.2\r\nHost: x\r\n\r\n', want: ["error UNSUPPORTED_VERSION @6"] },
  // fields
  { name: 'field case and order kept, OWS trimmed', input: 'GET / HTTP/1.1\r\nhOsT:  x \r\nX-A:\t1\r\nx-a: 2\r\n\r\n', want: ["head GET / origin 1.1 [hOsT: x, X-A: 1, x-a: 2] none keep-alive @0+45", "end"] },
  { name: 'empty value', input: 'GET / HTTP/1.1\r\nHost: x\r\nX-E:\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, X-E: ] none keep-alive @0+33", "end"] },
  { name: 'space before colon', input: 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', want: ["error BAD_HEADER_NAME @20"] },
  { name: 'obs-fold rejected', input: 'GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n', want: ["error OBS_FOLD @31"] },
  { name: 'whitespace before first field', input: 'GET / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: x\r\n\r\n', want: ["error OBS_FOLD @16"] },
  { name: 'vertical tab before name', input: 'GET / HTTP/1.1\r\n\x0bTransfer-Encoding: chunked\r\nHost: x\r\n\r\n', want: ["error BAD_HEADER_NAME @16"] },
  { name: 'NUL in value', input: 'GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n', want: ["error BAD_HEADER_VALUE @29"] },
  { name: 'bare CR in value', input: 'GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n', want: ["error BARE_CR @29"] },
  { name: 'bare LF rejected by default', input: 'GET / HTTP/1.1\nHost: x\r\n\r\n', want: ["error BARE_LF @14"] },
  { name: 'bare LF accepted when allowed', input: 'GET / HTTP/1.1\nHost: x\n\n', options: { allowBareLf: true }, want: ["head GET / origin 1.1 [Host: x] none keep-alive @0+24", "end"] },
  { name: 'missing colon', input: 'GET / HTTP/1.1\r\nHost x\r\n\r\n', want: ["error BAD_HEADER_NAME @20"] },
  { name: 'missing Host on 1.1', input: 'GET / HTTP/1.1\r\n\r\n', want: ["error MISSING_HOST @18"] },
  { name: 'duplicate Host', input: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', want: ["error DUPLICATE_HOST @36"] },
  { name: 'HTTP/1.0 without Host', input: 'GET / HTTP/1.0\r\n\r\n', want: ["head GET / origin 1.0 [] none close @0+18", "end"] },
  { name: 'HTTP/1.0 keep-alive', input: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', want: ["head GET / origin 1.0 [Connection: Keep-Alive] none keep-alive @0+42", "end"] },
  { name: 'HTTP/1.1 close', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, Connection: foo, close] none close @0+51", "end"] },
  // the usual single tokens take a path with no list split: every spelling must still count
  { name: 'HTTP/1.1 Connection: close', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, Connection: close] none close @0+46", "end"] },
  { name: 'HTTP/1.1 Connection: Close', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, Connection: Close] none close @0+46", "end"] },
  { name: 'HTTP/1.1 Connection: keep-alive', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, Connection: keep-alive] none keep-alive @0+51", "end"] },
  { name: 'HTTP/1.0 Connection: keep-alive', input: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', want: ["head GET / origin 1.0 [Connection: keep-alive] none keep-alive @0+42", "end"] },
  { name: 'HTTP/1.0 Connection: KEEP-ALIVE', input: 'GET / HTTP/1.0\r\nConnection: KEEP-ALIVE\r\n\r\n', want: ["head GET / origin 1.0 [Connection: KEEP-ALIVE] none keep-alive @0+42", "end"] },
  { name: 'HTTP/1.0 Connection: keep-alive, close', input: 'GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n', want: ["head GET / origin 1.0 [Connection: keep-alive, close] none close @0+49", "end"] },
  { name: 'HTTP/1.1 Connection: closed is not close', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n', want: ["head GET / origin 1.1 [Host: x, Connection: closed] none keep-alive @0+47", "end"] },
  { name: 'Expect 100-continue', input: 'PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nz', want: ["head PUT / origin 1.1 [Host: x, Expect: 100-Continue, Content-Length: 1] length 1 keep-alive expect @0+68", "body \"z\"", "end"] },
  { name: 'Upgrade pauses after the message', input: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nWS', want: ["head GET / origin 1.1 [Host: x, Connection: Upgrade, Upgrade: websocket] none keep-alive upgrade @0+68", "end", "paused at 68"] },
  // framing and smuggling shapes
  { name: 'Content-Length body', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc', want: ["head POST / origin 1.1 [Host: x, Content-Length: 3] length 3 keep-alive @0+47", "body \"abc\"", "end"] },
  { name: 'Content-Length 0 has no body', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', want: ["head POST / origin 1.1 [Host: x, Content-Length: 0] none keep-alive @0+47", "end"] },
  { name: 'identical Content-Length twice accepted', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nq', want: ["head POST / origin 1.1 [Host: x, Content-Length: 1, Content-Length: 1] length 1 keep-alive @0+66", "body \"q\"", "end"] },
  { name: 'differing Content-Length', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @45"] },
  { name: 'Content-Length list differing', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @26"] },
  { name: 'Content-Length with sign', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @26"] },
  { name: 'Content-Length negative', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @26"] },
  { name: 'Content-Length hex', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @26"] },
  { name: 'Content-Length empty', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n', want: ["error BAD_CONTENT_LENGTH @26"] },
  { name: 'TE and CL', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', want: ["error TE_AND_CL @75"] },
  { name: 'TE chunked, identity', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n', want: ["error BAD_TRANSFER_ENCODING @66"] },
  { name: 'TE gzip only', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', want: ["error BAD_TRANSFER_ENCODING @53"] },
  { name: 'TE gzip, chunked is not implemented', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', want: ["error UNSUPPORTED_TRANSFER_CODING @62"] },
  { name: 'TE chunked then TE gzip', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n', want: ["error BAD_TRANSFER_ENCODING @81"] },
  { name: 'TE chunked twice', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n', want: ["error BAD_TRANSFER_ENCODING @65"] },
  { name: 'TE on HTTP/1.0', input: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', want: ["error BAD_TRANSFER_ENCODING @47"] },
  { name: 'chunked body with extensions and trailers', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b;c="d;\\"e"\r\nabc\r\n2 ; x\r\nde\r\n0\r\nX-T: 1\r\n\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "body \"abcde\"", "trailers [X-T: 1]", "end"] },
  { name: 'chunk size in upper-case hex', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "body \"0123456789\"", "end"] },
  { name: 'chunk size 0x5', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_SIZE @57"] },
  { name: 'chunk size -1', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_SIZE @56"] },
  { name: 'chunk size overflow', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_SIZE @72"] },
  { name: 'chunk size empty', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_SIZE @56"] },
  { name: 'unterminated quoted extension', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e="bad\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_EXTENSION @64"] },
  { name: 'chunk data without CRLF', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "body \"ab\"", "error BAD_CHUNK_DATA @61"] },
  // pipelining
  // what one message's fields said (chunked, Expect, keep-alive on 1.0, Host) must not carry into the next
  { name: 'pipelined: no field fact leaks into the next message', input: 'POST /1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: keep-alive\r\n\r\n0\r\n\r\nGET /2 HTTP/1.0\r\n\r\nGET /3 HTTP/1.1\r\nHost: y\r\n\r\n', want: ["head POST /1 origin 1.1 [Host: x, Transfer-Encoding: chunked, Expect: 100-continue, Connection: keep-alive] chunked keep-alive expect @0+103", "end", "head GET /2 origin 1.0 [] none close @108+19", "end", "head GET /3 origin 1.1 [Host: y] none keep-alive @127+28", "end"] },
  { name: 'three pipelined requests', input: 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: x\r\n\r\n', want: ["head GET /1 origin 1.1 [Host: x] none keep-alive @0+28", "end", "head POST /2 origin 1.1 [Host: x, Content-Length: 2] length 2 keep-alive @28+48", "body \"hi\"", "end", "head GET /3 origin 1.1 [Host: x] none keep-alive @78+28", "end"] },
  // limits
  { name: 'request line too long', input: `GET /${'a'.repeat(40)} HTTP/1.1\r\nHost: x\r\n\r\n`, options: { limits }, want: ["error START_LINE_TOO_LONG @40"] },
  { name: 'header section too large', input: `GET / HTTP/1.1\r\nHost: x\r\nX: ${'b'.repeat(60)}\r\n\r\n`, options: { limits }, want: ["error HEAD_TOO_LARGE @76"] },
  { name: 'too many fields', input: 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', options: { limits }, want: ["error TOO_MANY_HEADERS @37"] },
  { name: 'declared body too large', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n', options: { limits }, want: ["error BODY_TOO_LARGE @48"] },
  { name: 'chunked body too large', input: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n', options: { limits }, want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "body \"abcdef\"", "error BODY_TOO_LARGE @67"] },
  { name: 'chunk line too long', input: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(30)}\r\n`, options: { limits }, want: ["head POST / origin 1.1 [Host: x, Transfer-Encoding: chunked] chunked keep-alive @0+56", "error BAD_CHUNK_SIZE @76"] },
  // end of stream
  { name: 'EOF inside the head', input: 'GET / HTTP/1.1\r\nHo', finish: true, want: ["error INCOMPLETE_MESSAGE @18"] },
  { name: 'EOF inside the body', input: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab', finish: true, want: ["head POST / origin 1.1 [Host: x, Content-Length: 5] length 5 keep-alive @0+47", "body \"ab\"", "error INCOMPLETE_MESSAGE @49"] },
  { name: 'EOF between messages is fine', input: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', finish: true, want: ["head GET / origin 1.1 [Host: x] none keep-alive @0+27", "end"] },
];

describe('RequestParser fixtures, whole, bytewise and split at every offset', () => {
  for (const c of cases) {
    test(c.name, () => {
      const input = Buffer.from(c.input, 'latin1');
      for (const { how, chunks } of splits(input)) {
        const log = run((l) => new RequestParser(eventSink(l, describeHead), c.options), chunks, c.finish === true);
        // The head line is only checked where the fixture lists it; errors must match everywhere.
        assert.deepEqual(log, c.want, `fed ${how}`);
      }
    });
  }
});

describe('RequestParser behaviour', () => {
  test('body chunks are views of the fed buffer (zero copy)', () => {
    const input = Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
    const views: Buffer[] = [];
    const parser = new RequestParser({ onHead: () => {}, onBody: (b) => views.push(b), onTrailers: () => {}, onEnd: () => {} });
    parser.feed(input);
    assert.equal(views.length, 1);
    assert.equal(views[0]!.buffer, input.buffer);
  });

  test('pause() in a callback stops feed and resume() continues', () => {
    const log: string[] = [];
    const parser: RequestParser = new RequestParser({
      onHead: (h) => {
        log.push(h.target);
        parser.pause();
      },
      onBody: () => {},
      onTrailers: () => {},
      onEnd: () => log.push('end'),
    });
    const input = Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const used = parser.feed(input);
    assert.equal(used, 28);
    assert.ok(parser.paused);
    parser.resume();
    assert.equal(parser.feed(input.subarray(used)), input.length - used);
    assert.deepEqual(log, ['/a', 'end', '/b', 'end']);
    assert.equal(parser.offset, input.length);
  });

  test('after an error every feed fails the same way', () => {
    const parser = new RequestParser({ onHead: () => {}, onBody: () => {}, onTrailers: () => {}, onEnd: () => {} });
    assert.throws(() => parser.feed(Buffer.from('BAD\r\n')), { code: 'BAD_START_LINE', offset: 3 });
    assert.throws(() => parser.feed(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), { code: 'BAD_START_LINE', offset: 3 });
  });

  test('idle / inHead / inBody follow the message', () => {
    const parser = new RequestParser({ onHead: () => {}, onBody: () => {}, onTrailers: () => {}, onEnd: () => {} });
    assert.ok(parser.idle);
    parser.feed(Buffer.from('POST / HTTP/1.1\r\nHost'));
    assert.ok(parser.inHead && !parser.idle);
    parser.feed(Buffer.from(': x\r\nContent-Length: 2\r\n\r\na'));
    assert.ok(parser.inBody);
    parser.feed(Buffer.from('b'));
    assert.ok(parser.idle);
  });
});
