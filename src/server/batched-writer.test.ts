import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createServer } from './server.js';

/** body returns `size` bytes of a pattern that shifts with `seed`, so a misplaced byte shows. */
function body(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

/** splitResponses cuts a byte stream of Content-Length responses into their bodies. */
function splitResponses(bytes: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    assert.notEqual(end, -1, 'a response head ends');
    const head = bytes.subarray(at, end).toString('latin1');
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    bodies.push(bytes.subarray(end + 4, end + 4 + length));
    at = end + 4 + length;
  }
  return bodies;
}

// One read carries every request, so all answers are gathered into one batch: small ones are joined
// into one Buffer, and sizes around the 16 KiB join limit and far past it go out as they are.
test('pipelined Buffer and string bodies around the join limit arrive byte-exact and in order', async () => {
  const sizes = [0, 1, 700, 16 * 1024 - 300, 16 * 1024, 16 * 1024 + 1, 3, 70_000, 5];
  const server = createServer((req, res) => {
    const i = Number(req.path.slice(1));
    if (i % 3 === 1) res.end(body(sizes[i]!, i).toString('latin1').replace(/[^\x20-\x7e]/g, 'x'));
    else res.end(body(sizes[i]!, i));
  });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const requests = sizes.map((_, i) => `GET /${i} HTTP/1.1\r\nHost: t\r\n\r\n`).join('');
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.end(`${requests.slice(0, -2)}Connection: close\r\n\r\n`));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
    });
    const bodies = splitResponses(received);
    assert.equal(bodies.length, sizes.length);
    sizes.forEach((size, i) => {
      const want = i % 3 === 1 ? Buffer.from(body(size, i).toString('latin1').replace(/[^\x20-\x7e]/g, 'x'), 'latin1') : body(size, i);
      assert.ok(bodies[i]!.equals(want), `response ${i} (${size} bytes)`);
    });
  } finally {
    await server.close();
  }
});
