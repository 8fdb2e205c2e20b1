import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawExchange } from '../../test/support/raw.js';
import { ServerResponse } from './response.js';
import { createServer } from './server.js';

// every byte value once: a latin1 string carries them one character per byte
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const AS_LATIN1 = ALL_BYTES.toString('latin1');

test('endLatin1: every byte value arrives as sent with its Content-Length; HEAD gets none; after write() it still ends the body', async () => {
  const server = createServer((req, res) => {
    const out = res as ServerResponse;
    if (req.path === '/streamed') {
      out.write('first:');
      out.endLatin1(AS_LATIN1);
      return;
    }
    out.setHeader('Content-Type', 'application/octet-stream');
    out.endLatin1(AS_LATIN1);
  });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const cases: Array<{ name: string; input: string; head: RegExp; body: Buffer }> = [
      { name: 'GET', input: 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', head: /\r\nContent-Length: 256\r\n/, body: ALL_BYTES },
      { name: 'HEAD', input: 'HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', head: /\r\nContent-Length: 256\r\n/, body: Buffer.alloc(0) },
      {
        name: 'after write (chunked)',
        input: 'GET /streamed HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
        head: /\r\nTransfer-Encoding: chunked\r\n/,
        body: Buffer.concat([Buffer.from('6\r\nfirst:\r\n100\r\n'), ALL_BYTES, Buffer.from('\r\n0\r\n\r\n')]),
      },
    ];
    for (const c of cases) {
      const { output } = await rawExchange(port, c.input);
      const split = output.indexOf('\r\n\r\n');
      assert.match(output.slice(0, split + 2), c.head, c.name);
      assert.deepEqual(Buffer.from(output.slice(split + 4), 'latin1'), c.body, c.name);
    }
  } finally {
    await server.close(100);
  }
});
