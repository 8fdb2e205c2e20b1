import { createServer, connect, type Socket } from 'node:net';
import { parseFlags } from './flags.js';
import { CliError, printError } from './output.js';
import { parseHostPort } from './request-raw.js';

const USAGE = `Usage: wirehttp echo [port] [-b ADDRESS]     TCP echo server (default 127.0.0.1:12000)
       wirehttp echo --connect HOST:PORT      interactive client: stdin lines out, echoes in

The server echoes every line back; a line 'exit' closes that client's connection.
`;

/** main runs `wirehttp echo`: a line echo server, or with --connect its interactive client. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('echo', {
    args: argv,
    allowPositionals: true,
    options: { bind: { type: 'string', short: 'b' }, connect: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.connect !== undefined) return client(values.connect);
  const portText = positionals[0] ?? '12000';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65535) throw new CliError(`echo: invalid port '${portText}'`, 2);
  return serve(port, values.bind ?? '127.0.0.1');
}

/** serve runs the echo server until SIGINT/SIGTERM; logs connects and disconnects on stderr. */
function serve(port: number, host: string): Promise<number> {
  let nextId = 1;
  let open = 0;
  const server = createServer((socket: Socket) => {
    const id = nextId++;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    open++;
    process.stderr.write(`echo: #${id} connected from ${peer} (${open} open)\n`);
    let pending = '';
    let closedByExit = false;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        if (line.trim() === 'exit') {
          closedByExit = true;
          socket.end('bye\n');
          return;
        }
        socket.write(line);
      }
    });
    socket.on('end', () => {
      if (pending !== '') socket.write(pending);
      pending = '';
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      open--;
      const how = closedByExit ? "closed on 'exit'" : 'disconnected';
      process.stderr.write(`echo: #${id} ${how} ${peer} (${open} open)\n`);
    });
  });
  return new Promise<number>((resolve) => {
    server.on('error', (error: NodeJS.ErrnoException) => {
      printError(`echo: cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
      resolve(1);
    });
    server.listen(port, host, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
      process.stderr.write(`echo: listening on ${host}:${bound} (Ctrl-C to stop)\n`);
    });
    const stop = (): void => {
      process.stderr.write('echo: shutting down\n');
      server.close(() => resolve(0));
      server.unref();
      setTimeout(() => resolve(0), 200).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** client copies stdin to the server and the server's bytes to stdout until EOF on either side. */
function client(target: string): Promise<number> {
  const { host, port } = parseHostPort(target);
  const socket = connect({ host, port });
  return new Promise<number>((resolve) => {
    let connected = false;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      printError(connected ? `echo: connection error: ${error.message}` : `echo: cannot connect to ${host}:${port}: ${error.code ?? error.message}`);
      resolve(connected ? 56 : 7);
    });
    socket.on('connect', () => {
      connected = true;
      process.stdin.pipe(socket);
    });
    socket.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    socket.on('close', () => {
      process.stdin.unpipe(socket);
      process.stdin.pause();
      if (connected) resolve(0);
    });
  });
}
