import { statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import type { Handler } from '../server/types.js';
import { createStaticHandler } from '../static/index.js';
import { CliError } from './output.js';
import { parseWorkers, runWorkers, WORKERS_USAGE } from './workers.js';
import { parseTrustProxy, TRUST_PROXY_USAGE } from './trust-proxy-arg.js';
import { INSPECT_USAGE, openInspector, takeInspectArgs, type InspectArgs } from './inspect-options.js';

const USAGE = `Usage: wirehttp serve [port] [options]

Serve a folder over HTTP/1.1 (like python -m http.server, with ranges, compression and caching).

Arguments:
  port                   port to listen on (default 8000; 0 picks a free port)

Options:
  -b, --bind ADDR        address to bind (default 127.0.0.1; 0.0.0.0 to share on your network)
  -d, --directory DIR    folder to serve (default: current folder)
  -p, --port PORT        same as the positional port
      --cors             send Access-Control-Allow-Origin: *
      --no-listing       do not list folders without index.html
      --hidden           serve dotfiles
      --spa FILE         send FILE for missing paths asked by browsers (single-page apps)
      --cache SECONDS    Cache-Control max-age (default: no-cache, revalidated with ETag)
${WORKERS_USAGE}${TRUST_PROXY_USAGE}  -h, --help             show this help
${INSPECT_USAGE}`;

interface ServeArgs {
  port: number;
  bind: string;
  directory: string;
  cors: boolean;
  listing: boolean;
  hidden: boolean;
  spa: string | undefined;
  cacheSeconds: number | undefined;
  workers: number | 'auto' | undefined;
  trustProxy: string[] | undefined;
  inspect: InspectArgs;
}

/** parseServeArgs turns argv into ServeArgs or throws CliError (exit 2) with one line for the user. */
export function parseServeArgs(allArgv: string[]): ServeArgs | 'help' {
  const { argv, inspect } = takeInspectArgs('serve', allArgv);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        bind: { type: 'string', short: 'b' }, directory: { type: 'string', short: 'd' }, port: { type: 'string', short: 'p' },
        cors: { type: 'boolean' }, 'no-listing': { type: 'boolean' }, hidden: { type: 'boolean' }, spa: { type: 'string' },
        cache: { type: 'string' }, help: { type: 'boolean', short: 'h' }, workers: { type: 'string' }, 'trust-proxy': { type: 'string' },
      },
    });
  } catch (error) {
    // node's message continues with a hint about '--'; the first sentence is the useful line
    throw new CliError(`serve: ${(error as Error).message.split('. ')[0]}`, 2, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length > 1) throw new CliError(`serve: unexpected argument '${positionals[1]}'`, 2);
  const portText = values.port ?? positionals[0] ?? '8000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new CliError(`serve: invalid port '${portText}' (0-65535)`, 2);
  const directory = resolve(values.directory ?? '.');
  let isDir = false;
  try {
    isDir = statSync(directory).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new CliError(`serve: no such folder: ${directory}`, 2);
  let cacheSeconds: number | undefined;
  if (values.cache !== undefined) {
    cacheSeconds = Number(values.cache);
    if (!/^\d+$/.test(values.cache)) throw new CliError(`serve: invalid --cache '${values.cache}' (seconds)`, 2);
  }
  return {
    port, bind: values.bind ?? '127.0.0.1', directory, cors: values.cors === true, listing: values['no-listing'] !== true,
    hidden: values.hidden === true, spa: values.spa, cacheSeconds,
    workers: values.workers === undefined ? undefined : parseWorkers('serve', values.workers),
    trustProxy: values['trust-proxy'] === undefined ? undefined : parseTrustProxy('serve', values['trust-proxy']),
    inspect,
  };
}

/** main runs `wirehttp serve` until SIGINT/SIGTERM and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const handler = withAccessLog(createStaticHandler({
    root: args.directory, cors: args.cors, listing: args.listing, showHidden: args.hidden, spa: args.spa, cacheSeconds: args.cacheSeconds,
  }));
  // loaded here, not at the top, so `--help` and argument errors answer without loading the engine
  const { createServer } = await import('../server/index.js');
  const server = createServer(handler, { trustProxy: args.trustProxy });
  const inspector = openInspector('serve', args.inspect, process.stdout);
  if (inspector !== undefined) server.observe(inspector.serverObserver());
  if (args.workers !== undefined) {
    if (args.inspect.har !== undefined || args.inspect.pcap !== undefined || args.inspect.keylog !== undefined) {
      throw new CliError('serve: --har, --pcap and --keylog record one process: drop --workers to use them', 2);
    }
    // each worker runs the rest of this function's listen step; the primary prints the banner once
    return runWorkers(args.workers, async () => {
      await listenOrExplain(server, args);
      return server;
    }, (port) => banner(args, port));
  }
  banner(args, await listenOrExplain(server, args));
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close(2000).then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await inspector?.close();
  return 0;
}

/** listenOrExplain binds the server and resolves with the port, or throws a one-line CliError. */
async function listenOrExplain(server: { listen(port: number, host: string): Promise<{ port: number }> }, args: ServeArgs): Promise<number> {
  try {
    return (await server.listen(args.port, args.bind)).port;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`serve: port ${args.port} is in use on ${args.bind} (try another, or 0 for a free one)`, 1, { cause: error });
    if (code === 'EADDRNOTAVAIL') throw new CliError(`serve: cannot bind ${args.bind}: no such local address`, 1, { cause: error });
    if (code === 'EACCES') throw new CliError(`serve: no permission to bind port ${args.port}`, 1, { cause: error });
    throw new CliError(`serve: cannot listen: ${code ?? (error as Error).message}`, 1, { cause: error });
  }
}

function banner(args: ServeArgs, port: number): void {
  const out = process.stdout;
  out.write(`Serving ${args.directory}\n`);
  for (const url of listenUrls(args.bind, port)) out.write(`  ${out.isTTY ? pc.cyan(url) : url}\n`);
  if (isLoopback(args.bind)) out.write(`To share on your network: wirehttp serve ${port} --bind 0.0.0.0\n`);
  out.write('Press Ctrl+C to stop.\n');
}

/** listenUrls lists every URL a browser can use: each interface address for a wildcard bind. */
function listenUrls(bind: string, port: number): string[] {
  const hosts: string[] = [];
  if (bind === '0.0.0.0' || bind === '::') {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === 'IPv4' || (bind === '::' && a.family === 'IPv6' && !a.address.startsWith('fe80'))) hosts.push(a.address);
      }
    }
  } else {
    hosts.push(bind);
  }
  return hosts.map((h) => `http://${h.includes(':') ? `[${h}]` : h}:${port}/`);
}

function isLoopback(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || bind.startsWith('127.');
}

/** withAccessLog writes one line per request on stderr once it is answered: time, peer, request, status, ms. */
function withAccessLog(handler: Handler): Handler {
  return async (req, res) => {
    const start = performance.now();
    try {
      await handler(req, res);
    } finally {
      const ms = (performance.now() - start).toFixed(1);
      const line = `${new Date().toISOString()} ${req.clientAddress} "${req.method} ${req.target}" ${res.statusCode} ${ms}ms`;
      process.stderr.write(`${line}\n`);
    }
  };
}
