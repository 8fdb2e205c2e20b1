import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, CookieJar, formatNetscapeCookies, loadNetscapeCookies, requestBytes, type RequestOptions } from '../client/index.js';
import { CliError, printError } from './output.js';
import { REQUEST_USAGE, parseRequestArgs, type RequestArgs } from './request-args.js';
import { buildDataBody, buildMultipart, type CliBody } from './request-body.js';
import { runRaw } from './request-raw.js';
import { transfer, type TransferContext } from './request-transfer.js';
import { VerboseWire } from './request-verbose.js';
import { version } from './dispatch.js';
import { bothClientObservers, INSPECT_USAGE, openInspector, takeInspectArgs, wantsInspector, type InspectArgs } from './inspect-options.js';

/** main runs `wirehttp request`: curl-compatible HTTP requests, or `--raw` bytes over TCP/TLS. */
export async function main(allArgv: string[]): Promise<number> {
  const { argv, inspect } = takeInspectArgs('request', allArgv);
  const args = parseRequestArgs(argv);
  if (args.help) {
    process.stdout.write(REQUEST_USAGE + INSPECT_USAGE);
    return 0;
  }
  if (args.raw !== undefined && wantsInspector(inspect)) throw new CliError('request: --trace, --har, --pcap and --keylog work with URLs, not --raw', 2);
  if (args.raw !== undefined) return runRaw(args);
  if (args.urls.length === 0) throw new CliError('no URL specified (try --help)', 2);
  const quiet = args.silent && !args.showError;
  try {
    return await runAll(args, inspect);
  } catch (error) {
    if (error instanceof CliError) {
      if (!quiet) printError(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

async function runAll(args: RequestArgs, inspect: InspectArgs): Promise<number> {
  let body: CliBody | undefined;
  if (args.form.length > 0 && args.data.length > 0) throw new CliError('you can only select one HTTP request method! You asked for both POST (-d) and multipart (-F).', 2);
  if (args.form.length > 0) body = await buildMultipart(args.form);
  else body = await buildDataBody(args.data);
  const method = args.method ?? (args.head ? 'HEAD' : body !== undefined ? 'POST' : 'GET');
  const jar = args.cookie.length > 0 || args.cookieJar !== undefined ? new CookieJar() : undefined;
  const cookieStrings: string[] = [];
  for (const b of args.cookie) {
    if (b.includes('=')) cookieStrings.push(b);
    else if (existsSync(b)) loadNetscapeCookies(jar!, readFileSync(b, 'utf8'));
  }
  const stderr = (t: string): void => void process.stderr.write(t);
  const verbose = args.verbose ? new VerboseWire(stderr) : undefined;
  // The trace goes to stderr like -v: stdout keeps the body.
  const inspector = openInspector('request', inspect, process.stderr);
  const observer = bothClientObservers(verbose, inspector?.clientObserver());
  const agent = new Agent({ maxConnectionsPerOrigin: 1, ...(observer === undefined ? {} : { observer }) });
  let ca: Buffer | undefined;
  if (args.cacert !== undefined) {
    try {
      ca = readFileSync(args.cacert);
    } catch (error) {
      throw new CliError(`(77) error setting certificate file: ${args.cacert}`, 77, { cause: error });
    }
  }
  const base: RequestOptions = {
    method,
    agent,
    httpVersion: args.http10 ? '1.0' : '1.1',
    tls: { rejectUnauthorized: !args.insecure, ...(ca === undefined ? {} : { ca }), ...keyLog(process.env.SSLKEYLOGFILE) },
    timeouts: {
      ...(args.connectTimeout === undefined ? {} : { connect: Math.round(args.connectTimeout * 1000) }),
      ...(args.maxTime === undefined ? {} : { total: Math.round(args.maxTime * 1000) }),
    },
    followRedirects: args.location,
    maxRedirects: args.maxRedirs < 0 ? Infinity : args.maxRedirs,
    decompress: args.compressed,
    ...(jar === undefined ? {} : { cookieJar: jar }),
    ...(body === undefined ? {} : { body: body.bytes }),
  };
  let exit = 0;
  try {
    for (let k = 0; k < args.urls.length; k++) {
      const url = normalizeUrl(args.urls[k]!);
      const output = args.outputs[k] ?? (args.remoteName > k ? remoteName(url) : undefined);
      const resumeFrom = args.resume && output !== undefined && output !== '-' && existsSync(output) ? statSync(output).size : 0;
      const headers = defaultHeaders(args, body, resumeFrom, cookieStrings);
      const options: RequestOptions = { ...base, headers };
      if (args.dryRun) {
        process.stdout.write(requestBytes(url, options));
        continue;
      }
      const ctx: TransferContext = { args, url, options, output, resumeFrom, agent, stderr, verbose };
      const code = await transfer(ctx);
      if (code !== 0) exit = code;
    }
  } finally {
    agent.close();
    await inspector?.close();
    if (jar !== undefined && args.cookieJar !== undefined) writeJar(args.cookieJar, formatNetscapeCookies(jar.all()));
  }
  return exit;
}

/**
 * keyLog appends TLS secrets to the file named by SSLKEYLOGFILE (NSS key log format, as curl and
 * browsers do) so Wireshark can decrypt the capture; nothing when the variable is unset or empty.
 */
function keyLog(path: string | undefined): { onKeylog?: (line: Buffer) => void } {
  if (path === undefined || path === '') return {};
  return {
    onKeylog: (line) => {
      try {
        appendFileSync(path, line);
      } catch {
        // Like curl: an unwritable key log file does not fail the transfer.
      }
    },
  };
}

function writeJar(path: string, text: string): void {
  try {
    if (path === '-') process.stdout.write(text);
    else writeFileSync(path, text);
  } catch (error) {
    throw new CliError(`failed to save cookies in ${path}`, 23, { cause: error });
  }
}

/** normalizeUrl adds `http://` when the scheme is missing, as curl does. */
export function normalizeUrl(text: string): URL {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    throw new CliError(`(3) URL using bad/illegal format or missing URL: ${text}`, 3, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`(1) Protocol "${url.protocol.slice(0, -1)}" not supported`, 1);
  return url;
}

/** remoteName is -O's file name: the URL path's last segment (curl fails on an empty one). */
export function remoteName(url: URL): string {
  const seg = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  if (seg === '' || seg === '.' || seg === '..') throw new CliError('(23) Remote file name has no length', 23);
  return seg;
}

/**
 * defaultHeaders builds the request fields in curl's order: User-Agent, Accept, then credentials,
 * Range, Referer, Content-Type, then -H fields. A -H field replaces a default of the same name;
 * `-H 'Name:'` removes it and `-H 'Name;'` sends it empty (curl's conventions).
 */
export function defaultHeaders(args: RequestArgs, body: CliBody | undefined, resumeFrom: number, cookies: readonly string[]): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['User-Agent', args.userAgent ?? `wirehttp/${version()}`],
    ['Accept', body?.json === true ? 'application/json' : '*/*'],
  ];
  if (args.user !== undefined) list.push(['Authorization', `Basic ${Buffer.from(args.user).toString('base64')}`]);
  if (resumeFrom > 0) list.push(['Range', `bytes=${resumeFrom}-`]);
  else if (args.range !== undefined) list.push(['Range', `bytes=${args.range}`]);
  if (args.referer !== undefined) list.push(['Referer', args.referer]);
  if (cookies.length > 0) list.push(['Cookie', cookies.join('; ')]);
  if (body !== undefined) list.push(['Content-Type', body.contentType]);
  for (const h of args.headers) {
    const colon = h.indexOf(':');
    const semi = h.indexOf(';');
    if (colon < 0 && semi > 0 && semi === h.length - 1) {
      replace(list, h.slice(0, -1), '');
      continue;
    }
    if (colon <= 0) continue;
    const name = h.slice(0, colon).trim();
    const value = h.slice(colon + 1).trim();
    if (value === '') remove(list, name);
    else replace(list, name, value);
  }
  return list;
}

function remove(list: Array<[string, string]>, name: string): void {
  const lower = name.toLowerCase();
  for (let i = list.length - 1; i >= 0; i--) if (list[i]![0].toLowerCase() === lower) list.splice(i, 1);
}

function replace(list: Array<[string, string]>, name: string, value: string): void {
  const lower = name.toLowerCase();
  const i = list.findIndex(([n]) => n.toLowerCase() === lower);
  if (i >= 0 && lower !== 'cookie') list[i] = [name, value];
  else list.push([name, value]);
}
