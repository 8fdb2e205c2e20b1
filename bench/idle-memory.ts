import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from './servers.js';

/**
 * idleMemoryPerConnection opens `count` keep-alive connections (at most 200 connecting at once), sends
 * one GET on each and reads the response, then holds them idle and reports the server's RSS growth
 * per connection, in bytes, measured after a forced GC on both sides of the comparison. A warm-up of
 * a tenth as many connections, opened then closed, comes first, so one-time costs (the JIT's code and
 * its compiler's working memory) are not charged to the connections; it is too small to pre-grow the
 * heap to what the full count needs, which stays part of the measure.
 */
export async function idleMemoryPerConnection(server: RunningServer, count: number): Promise<number> {
  await sleep(300);
  for (const s of await openIdle(server, Math.ceil(count / 10))) s.destroy();
  await sleep(1000);
  await server.rssAfterGc();
  const before = await server.rssAfterGc();
  const sockets = await openIdle(server, count);
  await sleep(2000);
  await server.rssAfterGc();
  const after = await server.rssAfterGc();
  for (const s of sockets) s.destroy();
  return (after - before) / count;
}

/** openIdle opens `count` connections, 200 at a time, each with one answered GET, and returns them. */
async function openIdle(server: RunningServer, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  const openOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nHost: bench\r\n\r\n'));
      socket.once('data', () => {
        socket.removeListener('error', reject);
        socket.on('error', () => {});
        sockets.push(socket);
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: 200 }, worker));
  return sockets;
}
