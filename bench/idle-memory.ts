import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from './servers.js';

/**
 * idleMemoryPerConnection opens `count` keep-alive connections (at most 200 connecting at once), sends
 * one GET on each and reads the response, then holds them idle and reports the server's RSS growth
 * per connection, in bytes, measured after a forced GC on both sides of the comparison.
 */
export async function idleMemoryPerConnection(server: RunningServer, count: number): Promise<number> {
  await sleep(300);
  const before = await server.rssAfterGc();
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
  await sleep(2000);
  await server.rssAfterGc();
  const after = await server.rssAfterGc();
  for (const s of sockets) s.destroy();
  return (after - before) / count;
}
