import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { CliError, printError } from './output.js';
import type { RequestArgs } from './request-args.js';

/** toCrlf turns every LF not already preceded by CR into CRLF (--crlf). */
export function toCrlf(bytes: Buffer, previousWasCr = false): Buffer {
  const out: number[] = [];
  let prev = previousWasCr;
  for (const b of bytes) {
    if (b === 0x0a && !prev) out.push(0x0d);
    out.push(b);
    prev = b === 0x0d;
  }
  return Buffer.from(out);
}

/** parseHostPort splits `host:port` / `[v6]:port`; throws CliError(2) when malformed. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port < 1 || port > 65535) throw new CliError(`--raw: expected HOST:PORT, got '${text}'`, 2);
  return { host: m[1] ?? m[2]!, port };
}

/**
 * runRaw implements `wirehttp request --raw HOST:PORT`: stdin's bytes go to the socket exactly as
 * given (LF→CRLF with --crlf), then the write side is half-closed; everything the server sends is
 * copied to stdout until it closes (exit 0) or -m expires (exit 28). Connect errors exit 7 (6 for
 * an unknown host); TLS failures 35/60 as curl.
 */
export async function runRaw(args: RequestArgs): Promise<number> {
  const { host, port } = parseHostPort(args.raw!);
  const secure = args.tls;
  const socket: Socket = secure
    ? tlsConnect({ host, port, servername: /^[0-9.:]+$/.test(host) ? undefined : host, rejectUnauthorized: !args.insecure, ca: args.cacert === undefined ? undefined : readFileSync(args.cacert) })
    : netConnect({ host, port });
  const quiet = args.silent && !args.showError;
  return new Promise<number>((resolve) => {
    let settled = false;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (code: number, message?: string): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (message !== undefined && !quiet) printError(message);
      process.stdin.unpipe();
      process.stdin.pause();
      socket.destroy();
      resolve(code);
    };
    if (args.maxTime !== undefined) timer = setTimeout(() => done(28, `(28) operation timed out after ${args.maxTime! * 1000} ms`), args.maxTime * 1000);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) return done(56, `(56) failure receiving data: ${error.message}`);
      if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return done(6, `(6) could not resolve host: ${host}`);
      if (secure && error.code !== 'ECONNREFUSED') return done(/CERT|SELF_SIGNED|VERIFY/.test(error.code ?? '') ? 60 : 35, `(35) TLS handshake failed: ${error.message}`);
      done(7, `(7) failed to connect to ${host} port ${port}: ${error.message}`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!process.stdout.write(chunk)) {
        socket.pause();
        process.stdout.once('drain', () => socket.resume());
      }
    });
    socket.on('end', () => done(0));
    socket.on('close', () => done(0));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      let lastCr = false;
      process.stdin.on('data', (chunk: Buffer) => {
        const out = args.crlf ? toCrlf(chunk, lastCr) : chunk;
        if (chunk.length > 0) lastCr = chunk[chunk.length - 1] === 0x0d;
        if (!socket.write(out)) {
          process.stdin.pause();
          socket.once('drain', () => process.stdin.resume());
        }
      });
      process.stdin.on('end', () => socket.end());
      process.stdin.resume();
    });
  });
}
