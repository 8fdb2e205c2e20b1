import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { CliError, printError } from './output.js';

/** A subcommand module exports `main(argv)` and resolves to the process exit code. */
interface Subcommand {
  summary: string;
  load: () => Promise<{ main: (argv: string[]) => Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  serve: { summary: 'serve a folder over HTTP (like python -m http.server)', load: () => import('./serve.js') },
  request: { summary: 'make HTTP requests, curl-style, and show the wire', load: () => import('./request.js') },
  proxy: { summary: 'forward to another HTTP server and show each exchange', load: () => import('./proxy.js') },
  echo: { summary: 'TCP echo server, or --connect HOST:PORT as its client', load: () => import('./echo.js') },
  timeline: { summary: 'draw a HAR file as an SVG connection timeline (keep-alive, pipelining)', load: () => import('./timeline.js') },
  demo: { summary: 'run the demo site (the examples: forms, login, labs) like npm start', load: () => import('./demo.js') },
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const names = Object.keys(SUBCOMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${SUBCOMMANDS[n]!.summary}`);
  return [
    'wirehttp — serve, build, call and see HTTP/1.1',
    '',
    'Usage: wirehttp <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show this help (or `wirehttp <command> --help`)',
    '  -V, --version  print the version',
    '',
  ].join('\n');
}

/** run executes the CLI for `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && !first.startsWith('-')) {
    const sub = SUBCOMMANDS[first];
    if (sub === undefined) {
      printError(`unknown command '${first}' (try 'wirehttp --help')`);
      return 2;
    }
    try {
      const mod = await sub.load();
      return await mod.main(rest);
    } catch (error) {
      if (error instanceof CliError) {
        printError(error.message);
        return error.exitCode;
      }
      throw error;
    }
  }
  try {
    const { values } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      strict: true,
    });
    if (values.version === true) {
      process.stdout.write(`wirehttp ${version()}\n`);
      return 0;
    }
    process.stdout.write(usage());
    return values.help === true ? 0 : 2;
  } catch (error) {
    printError(error instanceof Error ? error.message : String(error));
    return 2;
  }
}
