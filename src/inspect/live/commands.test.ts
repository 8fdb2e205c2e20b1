import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { printfQuote, requestCommand, shellQuote } from './commands.js';
import { exchange } from './live.test-util.js';

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

const cases: Array<{ name: string; request: string | Buffer; curl: string; wirehttp?: string }> = [
  {
    name: 'plain GET keeps headers in order and case, drops Host and Connection',
    request: 'GET /a?x=1&y=2 HTTP/1.1\r\nHost: lab:8000\r\nuser-agent: Mozilla/5.0 (X11)\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n',
    curl: "curl -H 'user-agent: Mozilla/5.0 (X11)' -H 'Accept: */*' 'http://lab:8000/a?x=1&y=2'",
    wirehttp: "wirehttp request -H 'user-agent: Mozilla/5.0 (X11)' -H 'Accept: */*' 'http://lab:8000/a?x=1&y=2'",
  },
  {
    name: 'HEAD is -I',
    request: 'HEAD /f HTTP/1.1\r\nHost: lab\r\n\r\n',
    curl: 'curl -I http://lab/f',
  },
  {
    name: 'POST with a text body is implied by --data-raw; Content-Length dropped',
    request: 'POST /api HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"a":"it\'s \\n"}\n',
    curl: "curl -H 'Content-Type: application/json' --data-raw '{\"a\":\"it'\\''s \\n\"}\n' http://lab/api",
  },
  {
    name: 'PUT with a body needs -X',
    request: 'PUT /f HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi',
    curl: 'curl -X PUT --data-raw hi http://lab/f',
  },
  {
    name: 'POST without a body needs -X',
    request: 'POST /go HTTP/1.1\r\nHost: lab\r\n\r\n',
    curl: 'curl -X POST http://lab/go',
  },
  {
    name: 'empty framed body is kept as an empty argument',
    request: 'POST /go HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\n\r\n',
    curl: "curl --data-raw '' http://lab/go",
  },
  {
    name: 'a chunked body is sent as data (the tool frames it itself)',
    request: 'POST /c HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    curl: 'curl --data-raw abc http://lab/c',
  },
  {
    name: 'binary body is piped from printf with octal escapes',
    request: Buffer.concat([Buffer.from('POST /b HTTP/1.1\r\nHost: lab\r\nContent-Length: 6\r\n\r\n'), Buffer.from([0, 0x25, 0x5c, 0x27, 0xff, 0x0d])]),
    curl: "printf '\\000%%\\\\\\047\\377\\015' | curl --data-binary @- http://lab/b",
    wirehttp: "printf '\\000%%\\\\\\047\\377\\015' | wirehttp request --data-binary @- http://lab/b",
  },
  {
    name: 'HTTP/1.0',
    request: 'GET / HTTP/1.0\r\n\r\n',
    curl: 'curl --http1.0 http://127.0.0.1:8000/',
  },
  {
    name: 'absolute-form keeps its own Host line',
    request: 'GET http://example.test/p HTTP/1.1\r\nHost: example.test\r\n\r\n',
    curl: "curl -H 'Host: example.test' http://example.test/p",
  },
  {
    name: 'OPTIONS * uses --request-target with curl, a note with wirehttp',
    request: 'OPTIONS * HTTP/1.1\r\nHost: lab\r\n\r\n',
    curl: "curl -X OPTIONS --request-target '*' http://lab/",
    wirehttp: 'wirehttp request -X OPTIONS http://lab/ # the request-target was *: this sends / instead',
  },
  {
    name: 'a method with shell characters is quoted',
    request: 'PURGE /x HTTP/1.1\r\nHost: lab\r\nX-Note: $(rm -rf /) `id` "q"\r\n\r\n',
    curl: "curl -X PURGE -H 'X-Note: $(rm -rf /) `id` \"q\"' http://lab/x",
  },
  {
    name: 'an empty value is Name; (Name: alone removes a field in curl)',
    request: 'GET / HTTP/1.1\r\nHost: lab\r\nX-Empty:\r\n\r\n',
    curl: "curl -H 'X-Empty;' http://lab/",
  },
  {
    name: 'a UTF-8 header value is shown as UTF-8',
    request: Buffer.from('GET / HTTP/1.1\r\nHost: lab\r\nX-Name: Zoë\r\n\r\n', 'utf8'),
    curl: "curl -H 'X-Name: Zoë' http://lab/",
  },
];

for (const c of cases) {
  test(`requestCommand: ${c.name}`, () => {
    const ex = exchange(c.request, ok);
    assert.equal(requestCommand('curl', ex), c.curl);
    assert.equal(requestCommand('wirehttp', ex), c.wirehttp ?? c.curl.replace(/^curl/, 'wirehttp request'));
  });
}

const quotes: Array<{ name: string; input: string; want: string }> = [
  { name: 'safe word', input: 'http://a/b?c=1', want: "'http://a/b?c=1'" },
  { name: 'plain', input: 'abc-1.2_x/y:z', want: 'abc-1.2_x/y:z' },
  { name: 'empty', input: '', want: "''" },
  { name: 'space', input: 'a b', want: "'a b'" },
  { name: 'single quote', input: "it's", want: "'it'\\''s'" },
  { name: 'dollar and backtick', input: '$HOME `x`', want: "'$HOME `x`'" },
  { name: 'glob', input: '*', want: "'*'" },
];

for (const c of quotes) {
  test(`shellQuote: ${c.name}`, () => assert.equal(shellQuote(c.input), c.want));
}

// The quoting is checked by a real shell: /bin/sh must give back exactly what was quoted.
const hostile = ["it's", 'a"b', '$(id)', '`id`', 'back\\slash', 'new\nline', 'tab\there', '*?[a]', '~', '!', 'é ü 日本', ';&|<>', ''];

test('shellQuote: sh reads every hostile string back unchanged', () => {
  const script = hostile.map((s) => `printf '%s\\0' ${shellQuote(s)}`).join('; ');
  const out = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(out.stdout.split('\0').slice(0, -1), hostile);
});

test('printfQuote: sh printf prints all 256 byte values back exactly', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const out = spawnSync('sh', ['-c', `printf ${printfQuote(all)}`]);
  assert.equal(out.status, 0, out.stderr.toString());
  assert.deepEqual(out.stdout, all);
});
