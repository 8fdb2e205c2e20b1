import { networkInterfaces } from 'node:os';
import pc from 'picocolors';
import type { Handler } from '../server/types.js';
import { createStaticHandler } from '../static/index.js';
import { formatSize } from '../static/listing.js';
import { LiveReload } from '../static/live-reload.js';
import { CliError } from './output.js';
import { runWorkers } from './workers.js';
import { openInspector } from './inspect-options.js';
import { parseServeArgs, USAGE, type ServeArgs } from './serve-args.js';
import { labActive, labSummary, withLab } from './serve-lab.js';
import { bothServerObservers, createAccessLog } from './serve-log.js';
import { filesTls, selfSignedTls, SELF_SIGNED_NAMES, type TlsMaterial } from './serve-tls.js';

export { parseServeArgs } from './serve-args.js';

/** main runs `wirehttp serve` until SIGINT/SIGTERM and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = args.log === 'off' ? undefined : createAccessLog(args.log, (line) => void process.stderr.write(`${line}\n`), colourOn(process.stderr));
  const tls = args.tls === undefined ? undefined : args.tls.kind === 'files' ? filesTls(args.tls.cert, args.tls.key) : await selfSignedTls();
  const live = args.watch ? watchFolder(args.directory) : undefined;
  const files: Handler = createStaticHandler({
    root: args.directory, cors: args.cors, listing: args.listing, showHidden: args.hidden, followSymlinks: args.followSymlinks,
    gzip: args.gzip, spa: args.spa, cacheSeconds: args.cacheSeconds, onNote: log?.note, upload: args.upload,
    liveReload: live,
  });
  const handler = labActive(args.lab) ? withLab(files, args.lab, log?.note ?? (() => {})) : files;
  // loaded here, not at the top, so `--help` and argument errors answer without loading the engine
  const { createServer } = await import('../server/index.js');
  const server = createServer(handler, { trustProxy: args.trustProxy, tls: tls === undefined ? undefined : { key: tls.key, cert: tls.cert } });
  const inspector = openInspector('serve', args.inspect, process.stdout);
  const observer = bothServerObservers(log?.observer, inspector?.serverObserver());
  if (observer !== undefined) server.observe(observer);
  if (args.workers !== undefined) {
    if (args.inspect.har !== undefined || args.inspect.pcap !== undefined || args.inspect.keylog !== undefined || args.inspect.inspect !== undefined) {
      throw new CliError('serve: --har, --pcap, --keylog and --inspect record one process: drop --workers to use them', 2);
    }
    // each worker runs the rest of this function's listen step; the primary prints the banner once
    return runWorkers(args.workers, async () => {
      await listenOrExplain(server, args);
      return server;
    }, (port) => banner(args, port, tls, live));
  }
  banner(args, await listenOrExplain(server, args), tls, live);
  await inspector?.announce(process.stdout);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      live?.close(); // ends the event streams, which would otherwise hold the shutdown for its grace
      void server.close(2000).then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await inspector?.close();
  return 0;
}

/** watchFolder starts live reload on the served folder or throws a one-line CliError. */
function watchFolder(dir: string): LiveReload {
  try {
    return new LiveReload(dir).start();
  } catch (error) {
    throw new CliError(`serve: cannot watch ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
}

/** colourOn: colours only on a terminal, and never with NO_COLOR or TERM=dumb (no-color.org). */
function colourOn(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

/** listenOrExplain binds the server and resolves with the port, or throws a one-line CliError. */
async function listenOrExplain(server: { listen(port: number, host: string): Promise<{ port: number }> }, args: ServeArgs): Promise<number> {
  try {
    return (await server.listen(args.port, args.bind)).port;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`serve: port ${args.port} is in use on ${args.bind} (try another, or 0 for a free one)`, 1, { cause: error });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new CliError(`serve: cannot bind ${args.bind}: no such local address`, 1, { cause: error });
    if (code === 'EACCES') throw new CliError(`serve: no permission to bind port ${args.port} (ports below 1024 need privileges)`, 1, { cause: error });
    throw new CliError(`serve: cannot listen: ${code ?? (error as Error).message}`, 1, { cause: error });
  }
}

/** banner prints where the folder is served (stdout; the access log goes to stderr) in one write, so a reader that has seen a URL has seen every line. */
function banner(args: ServeArgs, port: number, tls: TlsMaterial | undefined, live: LiveReload | undefined): void {
  const out = process.stdout;
  const paint = pc.createColors(colourOn(out));
  const lines = [`Serving ${args.directory}`];
  for (const url of listenUrls(args.bind, port, tls !== undefined)) lines.push(`  ${paint.cyan(url)}`);
  if (args.port === 0) lines.push(`Port ${port} (a free port, since you asked for 0)`);
  if (isLoopback(args.bind)) lines.push(`To share on your network: wirehttp serve ${port} -b 0.0.0.0 (or -b :: for IPv6 too)`);
  if (tls?.cached !== undefined) {
    const how = tls.cached.created ? 'made now and kept' : 'reused';
    lines.push(`TLS: self-signed certificate for ${SELF_SIGNED_NAMES.join(', ')} (${how} in ${tls.cached.dir}); browsers will warn once`);
  }
  if (tls !== undefined) lines.push(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint}`);
  lines.push(...featureLines(args));
  if (live !== undefined) lines.push(`Live reload: on (${live.mode === 'recursive' ? 'watching every folder' : 'watching the top folder only: this platform has no recursive fs.watch'}); HTML pages reload on change`);
  lines.push('Press Ctrl+C to stop.');
  out.write(`${lines.join('\n')}\n`);
}

/** featureLines names the switches that change answers, so nobody wonders why a page behaves oddly. */
function featureLines(args: ServeArgs): string[] {
  const lines: string[] = [];
  if (args.spa !== undefined) lines.push(`SPA: paths with no file get /${args.spa} (HTML clients only)`);
  if (!args.gzip) lines.push('Compression on the fly: off');
  if (args.hidden) lines.push('Dotfiles: served');
  if (args.followSymlinks) lines.push('Symlinks leaving the folder: followed');
  if (labActive(args.lab)) lines.push(`Lab switches: ${labSummary(args.lab)}`);
  if (args.upload !== undefined) {
    const max = formatSize(args.upload.maxBytes);
    lines.push(`Uploads: on (PUT a file, or the form on each listing), up to ${max}, ${args.upload.overwrite ? 'replacing existing files' : 'never replacing a file (--overwrite allows it)'}`);
  }
  return lines;
}

/** listenUrls lists every URL a browser can use: each interface address for a wildcard bind. */
export function listenUrls(bind: string, port: number, secure: boolean): string[] {
  const hosts: string[] = [];
  if (bind === '0.0.0.0' || bind === '::') {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        // link-local IPv6 needs a zone id that browsers handle badly; the other addresses are enough
        if (a.family === 'IPv4' || (bind === '::' && a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80'))) hosts.push(a.address);
      }
    }
  } else {
    hosts.push(bind);
  }
  return hosts.map((h) => `${secure ? 'https' : 'http'}://${h.includes(':') ? `[${h}]` : h}:${port}/`);
}

function isLoopback(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || bind.startsWith('127.');
}
