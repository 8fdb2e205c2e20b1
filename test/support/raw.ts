import { connect, type Socket } from 'node:net';

/**
 * rawExchange opens a TCP connection, writes `input` (each string in a list is written separately,
 * `gapMs` apart), then half-closes unless `keepOpen`, and resolves with everything the server sent
 * until it closed (or `timeoutMs` passed: then `timedOut` is true). Bytes are decoded as latin1.
 */
export async function rawExchange(
  port: number,
  input: string | string[],
  options: { gapMs?: number; keepOpen?: boolean; timeoutMs?: number; host?: string } = {},
): Promise<{ output: string; timedOut: boolean; closedAt: number }> {
  const socket = connect(port, options.host ?? '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const started = Date.now();
  const done = new Promise<{ timedOut: boolean; closedAt: number }>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ timedOut: true, closedAt: Date.now() - started });
    }, options.timeoutMs ?? 3000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ timedOut: false, closedAt: Date.now() - started });
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const parts = typeof input === 'string' ? [input] : input;
  for (let i = 0; i < parts.length; i++) {
    if (socket.destroyed) break;
    socket.write(Buffer.from(parts[i]!, 'latin1'));
    if (i < parts.length - 1 && options.gapMs !== undefined) await sleep(options.gapMs);
  }
  if (options.keepOpen !== true && !socket.destroyed) socket.end();
  const result = await done;
  return { output: Buffer.concat(chunks).toString('latin1'), ...result };
}

/** openRaw returns a connected socket and a reader that waits until the output matches. */
export async function openRaw(port: number): Promise<{ socket: Socket; read: (until: RegExp, timeoutMs?: number) => Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  let buffered = '';
  let wake: (() => void) | undefined;
  socket.on('data', (c: Buffer) => {
    buffered += c.toString('latin1');
    wake?.();
  });
  socket.on('close', () => wake?.());
  const read = async (until: RegExp, timeoutMs = 3000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!until.test(buffered)) {
      if (socket.destroyed && !until.test(buffered)) throw new Error(`closed before ${until}: ${JSON.stringify(buffered)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${until}: ${JSON.stringify(buffered)}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 50));
      });
    }
    const out = buffered;
    buffered = '';
    return out;
  };
  return { socket, read };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** responses splits a raw output into status lines, e.g. ['HTTP/1.1 200 OK', …]. */
export function statusLines(output: string): string[] {
  return [...output.matchAll(/HTTP\/1\.[01] \d{3}[^\r\n]*(?=\r\n)/g)].map((m) => m[0]);
}

/** withoutDate blanks the Date header so whole responses can be compared. */
export function withoutDate(output: string): string {
  return output.replace(/\r\nDate: [^\r]*/g, '\r\nDate: X');
}
