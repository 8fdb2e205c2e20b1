// Child process for the 1 GiB transfer case: `ours` (our engine) or `node` (node:http, for comparison).
// POST /upload reads the body as a stream and answers with its length; GET /download?bytes=N streams N
// bytes from one reused 1 MiB buffer with backpressure. Prints `listening PORT`; on the IPC message
// 'rss' collects garbage and answers with RSS and the memory JavaScript still holds (heap + external).
import { createServer as createNodeServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../src/server/index.js';
import { rssBytes } from './support.js';

const piece = Buffer.alloc(1024 * 1024, 0x78);
let port: number;
if (process.argv[2] === 'node') {
  const server = createNodeServer(async (req, res) => {
    let received = 0;
    for await (const chunk of req) received += (chunk as Buffer).length;
    res.end(String(received));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
} else {
  const server = createServer(async (req, res) => {
    if (req.path === '/upload') {
      let received = 0;
      for await (const chunk of req.body) received += (chunk as Buffer).length;
      res.end(String(received));
      return;
    }
    const total = Number(new URLSearchParams(req.query).get('bytes') ?? 0);
    res.setHeader('Content-Length', total);
    for (let sent = 0; sent < total; sent += piece.length) {
      if (!res.write(piece.subarray(0, Math.min(piece.length, total - sent)))) await res.drain();
    }
    res.end();
  });
  port = (await server.listen(0, '127.0.0.1')).port;
}
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
process.on('message', async (message: unknown) => {
  if (message !== 'rss') return;
  // backing stores of collected buffers are released after the GC, from a later turn: collect twice
  gc();
  await new Promise((r) => setTimeout(r, 10));
  gc();
  const m = process.memoryUsage();
  process.send?.({ rss: rssBytes(), held: m.heapUsed + m.external });
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`listening ${port}\n`);
