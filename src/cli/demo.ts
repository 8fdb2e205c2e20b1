import { SessionStoreError } from '../app/index.js';
import { createServer } from '../server/index.js';
import type { Handler } from '../server/types.js';
import { inspectUsage, openInspector, takeInspectArgs } from './inspect-options.js';
import { parseFlags } from './flags.js';
import { CliError } from './output.js';
import { selfSignedTls, SELF_SIGNED_NAMES } from './serve-tls.js';

const USAGE = `Usage: wirehttp demo [port] [-b ADDRESS] [--tls]

Run the demo site (the same as \`npm start\`): an index of the examples — the Flask-style lab with a
GET and a POST form, the login example with sessions and cookies, the http.server lab and the lab
server — on http://127.0.0.1:5000/ by default.

Options:
  -b, --bind ADDRESS   address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
      --tls            HTTPS with the self-signed certificate of \`wirehttp serve --tls\` (session
                       cookies then carry Secure)
  -h, --help           show this help

Environment: PORT and HOST (used when no port or -b is given), SESSION_STORE (memory, or
redis://HOST:PORT to share logins between instances), SESSION_SECRET (signs the session cookie).
${inspectUsage('demo')}`;

/** The demo's own modules, shipped beside src/ in the package (dist/examples). */
interface DemoModules {
  createDemoApp(extras: unknown): { handler: Handler };
  loadExtras(env: NodeJS.ProcessEnv): Promise<{ note?: string; close?: () => Promise<void> }>;
}

async function loadDemo(): Promise<DemoModules> {
  // The demo is an example app, not part of the library: src/ does not import examples/ statically
  // (architecture rule), so the launcher finds it at run time next to the compiled src/.
  const demo = (await import(new URL('../../examples/demo/demo.js', import.meta.url).href)) as Pick<DemoModules, 'createDemoApp'>;
  const extras = (await import(new URL('../../examples/demo/extras.js', import.meta.url).href)) as Pick<DemoModules, 'loadExtras'>;
  return { createDemoApp: demo.createDemoApp, loadExtras: extras.loadExtras };
}

/** main runs the demo site until SIGINT/SIGTERM, then closes it gracefully. */
export async function main(allArgv: string[]): Promise<number> {
  const { argv, inspect } = takeInspectArgs('demo', allArgv);
  const { values, positionals } = parseFlags('demo', {
    args: argv, allowPositionals: true, strict: true,
    options: { bind: { type: 'string', short: 'b' }, tls: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new CliError(`demo: unexpected argument '${positionals[1]}'`, 2);
  const portText = positionals[0] ?? process.env.PORT ?? '5000';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65535) throw new CliError(`demo: invalid port '${portText}'`, 2);
  const host = values.bind ?? process.env.HOST ?? '127.0.0.1';

  const tls = values.tls === true ? await selfSignedTls() : undefined;
  const inspector = openInspector('demo', inspect, process.stdout);
  const { createDemoApp, loadExtras } = await loadDemo();
  let extras;
  try {
    extras = await loadExtras(process.env);
  } catch (error) {
    // SESSION_STORE is user input: a bad URL or a store that does not answer is one line, not a trace
    if (error instanceof SessionStoreError) throw new CliError(`demo: ${error.message}`, 1, { cause: error });
    throw error;
  }
  const server = createServer(createDemoApp(extras).handler, tls === undefined ? undefined : { tls: { key: tls.key, cert: tls.cert } });
  let bound;
  try {
    bound = await server.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`demo: port ${port} on ${host} is already in use (try another port, or 0 for a free one)`, 1);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`demo: ${host} is not an address of this machine`, 1);
    throw error;
  }
  if (inspector !== undefined) server.observe(inspector.serverObserver());
  const url = `${tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${bound.port}/`;
  // one write, so a reader that has seen the URL has seen the whole banner
  const tlsNote = tls === undefined ? '' : `TLS: self-signed certificate for ${SELF_SIGNED_NAMES.join(', ')}; browsers will warn once (wirehttp request needs -k)\n`;
  process.stdout.write(`wirehttp demo on ${url} (Ctrl-C to stop)\n${extras.note === undefined ? '' : `${extras.note}\n`}${tlsNote}`);
  await inspector?.announce(process.stdout);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close(2000);
  await extras.close?.();
  await inspector?.close();
  return 0;
}
