// wirehttp's engine with the hello-world handler (12-byte text/plain body).
import { createServer } from '../../src/index.js';
import { announce } from './ready.js';

// the same connection policy as the node:http baseline: a long keep-alive and no request limit
// (its maxRequestsPerSocket defaults to 0, none; ours defaults to 1000, nginx's keepalive_requests)
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello World!');
}, { keepAliveTimeout: 120_000, maxRequestsPerConnection: Infinity });
const { port } = await server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
announce(port);
