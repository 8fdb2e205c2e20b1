// node:http with the same hello-world handler: the baseline every ratio is taken against.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce } from './ready.js';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 12 });
  res.end('Hello World!');
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => announce((server.address() as AddressInfo).port));
