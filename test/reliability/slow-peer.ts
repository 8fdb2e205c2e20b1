// Child process for the 1 GiB transfer case: a peer that uploads (writes) or downloads (reads) BYTES at
// RATE bytes per second, so the server has to hold back rather than buffer. Prints `done BYTES MS`.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const [port, mode, bytesText, rateText] = process.argv.slice(2) as [string, 'upload' | 'download', string, string];
const total = Number(bytesText);
const rate = Number(rateText);
const started = performance.now();
/** ahead returns how many ms the transfer is ahead of the rate after `done` bytes. */
const ahead = (done: number): number => (done / rate) * 1000 - (performance.now() - started);

const socket = connect(Number(port), '127.0.0.1');
await new Promise((r) => socket.once('connect', r));
let received = 0;
let head = '';
if (mode === 'upload') {
  socket.write(`POST /upload HTTP/1.1\r\nHost: peer\r\nContent-Length: ${total}\r\n\r\n`);
  const piece = Buffer.alloc(1024 * 1024, 0x79);
  for (let sent = 0; sent < total; sent += piece.length) {
    if (!socket.write(piece.subarray(0, Math.min(piece.length, total - sent)))) await new Promise((r) => socket.once('drain', r));
    const wait = ahead(sent + piece.length);
    if (wait > 1) await sleep(wait);
  }
  const answer = await new Promise<string>((resolve) => {
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.endsWith(`\r\n\r\n${total}`)) resolve(data);
    });
  });
  received = Number(answer.slice(answer.lastIndexOf('\n') + 1));
} else {
  socket.write(`GET /download?bytes=${total} HTTP/1.1\r\nHost: peer\r\n\r\n`);
  await new Promise<void>((resolve) => {
    socket.on('data', (c: Buffer) => {
      if (head === '' || !head.includes('\r\n\r\n')) {
        const text = c.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        head += end === -1 ? text : text.slice(0, end + 4);
        received += end === -1 ? 0 : c.length - end - 4;
      } else {
        received += c.length;
      }
      if (received >= total) return resolve();
      const wait = ahead(received);
      if (wait > 1) {
        socket.pause();
        setTimeout(() => socket.resume(), wait);
      }
    });
  });
}
socket.destroy();
process.stdout.write(`done ${received} ${Math.round(performance.now() - started)}\n`);
