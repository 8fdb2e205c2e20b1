import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Server } from '../../src/index.js';
import { rawExchange } from '../../test/support/raw.js';
import { startHandlerExample } from './handler.js';

let server: Server;
let port = 0;
before(async () => ({ server, port } = await startHandlerExample(0)));
after(() => server.close(100));

test('handler: do_GET answers with the path and the header lines as sent', async () => {
  const { output } = await rawExchange(port, 'GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-Mixed-Case: v1\r\nConnection: close\r\n\r\n');
  assert.match(output, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(output, /\r\n\r\npath: \/a%20b\?x=1\nheaders:\n {2}Host: h\n {2}X-Mixed-Case: v1\n {2}Connection: close\n$/);
});

test('handler: do_POST echoes the body with its type; other methods get 501', async () => {
  const { output } = await rawExchange(port, 'POST /e HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello' + 'DELETE /e HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  assert.match(output, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Type: text\/plain\r\n[\s\S]*\r\n\r\nhello/);
  assert.match(output, /HTTP\/1\.1 501 /);
});
