// Child process for the idle-connections case: opens COUNT keep-alive connections to PORT (200 at a
// time), sends one GET on each, reads the answer, then holds them all idle. Prints `open N` when done
// (or `error CODE` if the system refused), and exits on SIGTERM.
import { connect, type Socket } from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const sockets: Socket[] = [];
let next = 0;
const openOne = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => s.write('GET / HTTP/1.1\r\nHost: idle\r\n\r\n'));
    s.once('data', () => {
      s.removeListener('error', reject);
      s.on('error', () => {});
      sockets.push(s);
      resolve();
    });
  });
const worker = async (): Promise<void> => {
  while (next < count) {
    next++;
    await openOne();
  }
};
try {
  await Promise.all(Array.from({ length: 200 }, worker));
  process.stdout.write(`open ${sockets.length}\n`);
} catch (error) {
  process.stdout.write(`error ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
}
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);
