// Child process for the idle-connections case: `ours` (our engine) or `node` (node:http), hello world,
// long keep-alive. Prints `listening PORT`; on the IPC message 'rss' it collects garbage and answers
// with its resident set size.
import { createServer as createNodeServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../src/server/index.js';
import { rssBytes } from './support.js';

const kind = process.argv[2];
let port: number;
if (kind === 'ours') {
  const server = createServer((_req, res) => res.end('ok'), { keepAliveTimeout: 120_000 });
  port = (await server.listen(0, '127.0.0.1')).port;
} else {
  const server = createNodeServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}
process.on('message', (message: unknown) => {
  if (message !== 'rss') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ rss: rssBytes() });
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`listening ${port}\n`);
