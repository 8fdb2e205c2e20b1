// Runs `node bin/wirehttp.js serve …` as a user would and reads the URL it prints.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request, type RequestOptions } from '../../src/client/index.js';

export const BIN = fileURLToPath(new URL('../../../bin/wirehttp.js', import.meta.url));

/** Cli is a spawned wirehttp process with its output so far. */
export interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
  readonly exit: Promise<number | null>;
}

/** cli spawns `wirehttp args…` with extra environment variables. */
export function cli(args: readonly string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out: () => out, err: () => err, exit };
}

/** waitFor polls `read()` until `pattern` matches (5 s at most). */
export async function waitFor(read: () => string, pattern: RegExp, ms = 5000): Promise<RegExpExecArray> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    const m = pattern.exec(read());
    if (m !== null) return m;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${pattern}: ${read()}`);
}

/** Served is a running `wirehttp serve` with the first URL it printed. */
export interface Served extends Cli {
  readonly port: number;
  readonly base: string;
  /** stop sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** serve starts `wirehttp serve 0 -d dir …args` and waits for its banner. */
export async function serve(dir: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const c = cli(['serve', '0', '-d', dir, ...args], env);
  const early = c.exit.then((code) => {
    throw new Error(`serve exited with ${code}: ${c.err()}`);
  });
  early.catch(() => {});
  const m = await Promise.race([waitFor(c.out, /(https?):\/\/127\.0\.0\.1:(\d+)\//), early]);
  return {
    ...c,
    port: Number(m[2]),
    base: `${m[1]}://127.0.0.1:${m[2]}`,
    stop: () => {
      c.child.kill('SIGTERM');
      return c.exit;
    },
  };
}

/** agent is the client pool the serve tests share; each test file closes it in an after() hook. */
export const agent = new Agent();

/** get makes one request with the project's client and reads the whole answer. */
export async function get(url: string, options: RequestOptions = {}): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const res = await request(url, { agent, ...options });
  const body = await res.bytes();
  const headers: Record<string, string> = {};
  for (const [k, v] of res.headers.entries()) headers[k.toLowerCase()] = v;
  return { status: res.status, headers, body };
}

/** tree makes a temp folder: hello.txt, big.txt (compressible), docs/a <b>.txt, app/index.html, .secret. */
export function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-cli-'));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'big.txt'), 'lorem ipsum dolor sit amet '.repeat(400));
  writeFileSync(join(dir, 'docs', 'a <b>.txt'), 'a');
  writeFileSync(join(dir, 'app', 'index.html'), '<!doctype html><html><body><p>app</p></body></html>');
  writeFileSync(join(dir, '.secret'), 'hidden');
  return dir;
}
