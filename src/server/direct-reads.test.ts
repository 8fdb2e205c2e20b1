import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { test } from 'node:test';
import selfsigned from 'selfsigned';
import { sleep } from '../../test/support/raw.js';
import { DirectReads, pauseReads, resumeReads } from './direct-reads.js';

/** accepted opens a loopback pair: the server side attached to a fresh DirectReads, and the client. */
async function accepted(): Promise<{ server: Socket; client: Socket; attached: boolean; chunks: Buffer[]; close: () => void }> {
  const chunks: Buffer[] = [];
  let attached = false;
  const reads = new DirectReads((_socket, chunk) => chunks.push(chunk));
  const listener = createServer({ allowHalfOpen: true });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const serverSide = new Promise<Socket>((resolve) =>
    listener.once('connection', (socket: Socket) => {
      attached = reads.attach(socket);
      resolve(socket);
    }),
  );
  const client = connect(port, '127.0.0.1');
  const [server] = await Promise.all([serverSide, once(client, 'connect')]);
  return { server, client, attached, chunks, close: () => { client.destroy(); server.destroy(); listener.close(); } };
}

function sha(parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const total = (chunks: Buffer[]): number => chunks.reduce((n, c) => n + c.length, 0);

test('every byte a plain TCP socket reads reaches the listener, in order, and the Buffers stay valid', async () => {
  const { server, client, attached, chunks, close } = await accepted();
  assert.equal(attached, true);
  let dataEvents = 0;
  server.on('data', () => dataEvents++); // the stream path is bypassed: this must stay silent
  const sent: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const piece = randomBytes(1 + ((i * 7919) % 40_000));
    sent.push(piece);
    client.write(piece);
  }
  const bytes = total(sent);
  await until(() => total(chunks) === bytes, 'all bytes');
  assert.equal(sha(chunks), sha(sent)); // checked after all arrived: no chunk was overwritten by a later read
  assert.equal(server.bytesRead, bytes);
  assert.equal(dataEvents, 0);
  close();
});

test('paused, nothing is delivered and the sender is held back by TCP; resumed, everything arrives', async () => {
  const { server, client, chunks, close } = await accepted();
  pauseReads(server);
  pauseReads(server); // twice is harmless
  const sent = randomBytes(32 * 1024 * 1024);
  const flushed = client.write(sent);
  await sleep(200);
  assert.equal(total(chunks), 0);
  assert.equal(flushed, false);
  assert.ok(client.writableLength > 0, 'the kernel buffers filled and the rest waits in the sender');
  resumeReads(server);
  resumeReads(server);
  await until(() => total(chunks) === sent.length, 'the held bytes');
  assert.equal(sha(chunks), sha([sent]));
  close();
});

test("the client's FIN still ends the socket ('end' after the last byte) and it can still answer", async () => {
  const { server, client, chunks, close } = await accepted();
  const ended = once(server, 'end');
  client.end('last words');
  await ended;
  assert.equal(Buffer.concat(chunks).toString(), 'last words');
  const reply = once(client, 'data');
  const closed = once(server, 'close'); // both sides ended: node closes it by itself
  server.end('reply');
  assert.equal(String((await reply)[0]), 'reply');
  await closed;
  close();
});

test('a reset from the client still errors and closes the socket', async () => {
  const { server, client, close } = await accepted();
  const closed = new Promise((resolve) => server.once('close', resolve)); // not once(): it rejects on 'error'
  let code: string | undefined;
  server.on('error', (error: NodeJS.ErrnoException) => (code = code ?? error.code));
  client.resetAndDestroy();
  await closed;
  assert.equal(code, 'ECONNRESET');
  close();
});

test('TLS sockets keep the stream path', async () => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
  const reads = new DirectReads(() => assert.fail('no TLS byte may come this way'));
  const listener = createTlsServer({ key: pems.private, cert: pems.cert });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const received = new Promise<string>((resolve) =>
    listener.once('secureConnection', (socket: Socket) => {
      assert.equal(reads.attach(socket), false);
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    }),
  );
  const client = tlsConnect({ port, host: '127.0.0.1', ca: pems.cert, servername: 'localhost' }, () => client.write('over tls'));
  assert.equal(await received, 'over tls');
  client.destroy();
  listener.close();
});
