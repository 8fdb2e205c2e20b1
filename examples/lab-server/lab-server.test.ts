import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawExchange, statusLines } from '../../test/support/raw.js';
import { startLabServer } from './lab-server.js';

const cases = [
  { name: 'HEAD / has the headers and no body', input: 'HEAD / HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 200 OK', match: [/Content-Type: text\/html/, /Content-Length: \d+/, /Date: /, /\r\n\r\n$/] },
  { name: 'GET / sends index.html', input: 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 200 OK', match: [/It works!/] },
  { name: 'GET /random is a 404 page', input: 'GET /random HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 404 Not Found', match: [/<h1>404 Not Found<\/h1>/] },
  { name: 'an unknown method is a 400', input: 'BREW / HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 400 Bad Request', match: [] },
  { name: 'an unknown protocol is a 400', input: 'GET / FTP/1.0\r\n\r\n', status: 'HTTP/1.1 400 Bad Request', match: [] },
  { name: 'a handler exception is a 500', input: 'GET /error HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 500 Internal Server Error', match: [] },
  { name: 'GET /busy is a 503 with Retry-After', input: 'GET /busy HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 503 Service Unavailable', match: [/\r\nRetry-After: 30\r\n/, /<h1>503 Service Unavailable<\/h1>/] },
  { name: 'HEAD /busy is a 503 with Retry-After and no body', input: 'HEAD /busy HTTP/1.1\r\nHost: t\r\n\r\n', status: 'HTTP/1.1 503 Service Unavailable', match: [/\r\nRetry-After: 30\r\n/, /\r\n\r\n$/] },
];

test('lab server assignment', async (t) => {
  const { server, port } = await startLabServer(0);
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { output } = await rawExchange(port, c.input);
      assert.deepEqual(statusLines(output), [c.status]);
      for (const re of c.match) assert.match(output, re);
    });
  }
  await server.close();
});
