// The node:http static baseline for BENCH_ONLY=serve: what a few lines of plain node do (stat, headers,
// createReadStream piped into the response). Usage: node serve-node-static.js DIR PORT
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [dir, port] = [process.argv[2]!, Number(process.argv[3] ?? 0)];
const server = createServer((req, res) => {
  const path = join(dir, normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)));
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
  createReadStream(path).pipe(res);
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => process.exit(0));
