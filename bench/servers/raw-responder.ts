// A node:net responder that parses nothing: one canned response per CRLFCRLF seen. The ceiling.
import { createServer, type AddressInfo } from 'node:net';
import { announce } from './ready.js';

const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nHello World!';
const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  socket.on('data', (data: Buffer) => {
    let count = 0;
    for (let i = data.indexOf('\r\n\r\n'); i !== -1; i = data.indexOf('\r\n\r\n', i + 4)) count++;
    socket.write(RESPONSE.repeat(count));
    // the client asked to close: close at once, as ours and node:http do, not after its FIN
    if (data.includes('Connection: close')) socket.destroy();
  });
  socket.on('error', () => {});
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => announce((server.address() as AddressInfo).port));
