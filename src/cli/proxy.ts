import type { ReframeSwitch } from '../inspect/reframer.js';
import { startRelay } from '../inspect/relay.js';
import { parseFlags } from './flags.js';
import { CliError } from './output.js';
import { ExchangeLog } from './proxy-trace.js';
import { inspectUsage, openInspector, takeInspectArgs } from './inspect-options.js';

const USAGE = `Usage: wirehttp proxy --to URL [--listen PORT] [options]

Forward every connection to another HTTP/1.1 server (python's http.server, Flask, nginx…) byte for
byte, and show each exchange: request lines, status lines, body sizes, who closed. Only the switches
below change what passes (--via and --x-forwarded-for the requests, --chunked and --http1.0 the
responses' framing); the log, --trace, --har and --pcap show what the client received.

Options:
  -l, --listen PORT    port to listen on (default 8080; 0 picks a free port)
  -b, --bind ADDR      address to bind (default 127.0.0.1)
      --to URL         the server to forward to, e.g. http://127.0.0.1:5000 (https:// uses TLS upstream)
  -k, --insecure       do not verify the upstream's TLS certificate
      --via            add 'Via: 1.1 wirehttp' to each request (nothing is added by default)
      --x-forwarded-for  add X-Forwarded-For with the client's address to each request
  -q, --quiet          forward without printing exchanges

Lab switches (applied to what the server sends back):
      --delay MS            hold each piece of the response back MS milliseconds
      --throttle BYTES_PER_S  pass at most that many bytes per second
      --chunked             re-frame bodies sent with Content-Length (or ended by a close) as
                            Transfer-Encoding: chunked, for HTTP/1.1 clients; HEAD, 1xx, 204, 304
                            and already chunked answers pass unchanged
      --http1.0             answer as an HTTP/1.0 server: 1.0 status line, chunked bodies de-chunked
                            (they end when the connection closes), trailers and 1xx dropped, a close
                            after each answer unless the client asked for keep-alive and the length
                            is known (with --chunked as well: no length is kept, bodies end at the close)
      --drop-after BYTES    cut the connection after that many response bytes
  -h, --help           show this help
${inspectUsage('proxy').replace('See the protocol:', 'See the protocol (the client leg, as the client saw it; --keylog: the upstream TLS leg):')}
Example:
  wirehttp proxy --listen 8080 --to http://127.0.0.1:5000
  curl -v http://127.0.0.1:8080/          # watch the exchange in the proxy's terminal
`;

/** main runs `wirehttp proxy`. */
export async function main(allArgv: string[]): Promise<number> {
  const { argv, inspect } = takeInspectArgs('proxy', allArgv);
  const { values } = parseFlags('proxy', {
    args: argv,
    options: {
      listen: { type: 'string', short: 'l' },
      bind: { type: 'string', short: 'b' },
      to: { type: 'string' },
      insecure: { type: 'boolean', short: 'k' },
      via: { type: 'boolean' },
      delay: { type: 'string' },
      throttle: { type: 'string' },
      'drop-after': { type: 'string' },
      chunked: { type: 'boolean' },
      'http1.0': { type: 'boolean' },
      'x-forwarded-for': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof values.to !== 'string') throw new CliError('proxy: --to URL is required (e.g. --to http://127.0.0.1:5000)');
  let target: URL;
  try {
    target = new URL(values.to);
  } catch {
    throw new CliError(`proxy: --to is not a URL: ${values.to}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new CliError('proxy: --to must be an http:// or https:// URL');
  const port = values.listen === undefined ? 8080 : Number(values.listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`proxy: bad port: ${String(values.listen)}`);
  const host = typeof values.bind === 'string' ? values.bind : '127.0.0.1';
  const shape = {
    delayMs: count(values.delay, '--delay'),
    bytesPerSecond: count(values.throttle, '--throttle'),
    dropAfter: count(values['drop-after'], '--drop-after'),
  };
  const reframe: ReframeSwitch[] = [...(values.chunked === true ? ['chunked' as const] : []), ...(values['http1.0'] === true ? ['http1.0' as const] : [])];
  // Named as serve's labSummary names them.
  const switches = [
    shape.delayMs !== undefined ? `delay ${shape.delayMs} ms` : '',
    shape.bytesPerSecond !== undefined ? `throttle ${shape.bytesPerSecond} B/s` : '',
    reframe.includes('chunked') ? 'chunked bodies' : '',
    reframe.includes('http1.0') ? 'HTTP/1.0 answers' : '',
    shape.dropAfter !== undefined ? `drop after ${shape.dropAfter} bytes` : '',
  ].filter((s) => s !== '');
  const secure = target.protocol === 'https:';
  // --trace shows everything the exchange log does and more, so it replaces it.
  const log = values.quiet === true || inspect.trace !== undefined ? undefined : new ExchangeLog((line) => process.stdout.write(`${line}\n`));
  const inspector = openInspector('proxy', inspect, process.stdout);
  const record = inspector?.relaySink();
  let relay;
  try {
    relay = await startRelay(port, host, {
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || (secure ? 443 : 80)),
      tls: secure ? { rejectUnauthorized: values.insecure !== true } : undefined,
      onEvent: log === undefined && record === undefined ? undefined : (event) => {
        log?.handle(event);
        record?.(event);
      },
      shape,
      reframe,
      extraRequestLines:
        values.via === true || values['x-forwarded-for'] === true
          ? (head, client) => [
              ...(values.via === true ? [`Via: 1.${head.versionMinor} wirehttp`] : []),
              ...(values['x-forwarded-for'] === true ? [`X-Forwarded-For: ${client.address}`] : []),
            ]
          : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'EADDRINUSE' ? `proxy: port ${port} is already in use` : `proxy: cannot listen on ${host}:${port} (${code ?? String(error)})`, 1);
  }
  // one write, like serve's banner: a reader that has the URL has the switches too
  const switchLine = switches.length > 0 ? `lab switches: ${switches.join(', ')}\n` : '';
  process.stdout.write(`proxy on http://${host.includes(':') ? `[${host}]` : host}:${relay.port}/ -> ${target.origin} (Ctrl-C to stop)\n${switchLine}`);
  await inspector?.announce(process.stdout);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await relay.close();
  await inspector?.close();
  return 0;
}

/** count reads a non-negative whole number flag, or throws a one-line usage error. */
function count(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(n) || n < 0) throw new CliError(`proxy: ${flag} takes a whole number, got ${String(value)}`);
  return n;
}
