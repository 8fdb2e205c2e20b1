// wirehttp's engine with the hello-world handler (12-byte text/plain body).
import { createServer } from '../../src/index.js';
import { announce } from './ready.js';

const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello World!');
}, { keepAliveTimeout: 120_000 });
const { port } = await server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
announce(port);
