// `wirehttp serve` arguments: the help text and the parser that turns argv into ServeArgs.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlags } from './flags.js';
import { CliError } from './output.js';
import { inspectUsage, takeInspectArgs, type InspectArgs } from './inspect-options.js';
import { parseTrustProxy, TRUST_PROXY_USAGE } from './trust-proxy-arg.js';
import { parseWorkers, WORKERS_USAGE } from './workers.js';

export const USAGE = `Usage: wirehttp serve [port] [options]

Share a folder over HTTP/1.1, like python -m http.server, with keep-alive, ranges, validators,
compression, TLS, uploads and live reload. Listens on loopback only unless you ask for more.

Arguments:
  port                   port to listen on (default 8000; 0 picks a free port and prints it)

Options:
  -b, --bind ADDR        address to bind (default 127.0.0.1; -b 0.0.0.0 or -b :: shares it on your network)
  -d, --directory DIR    folder to serve (default: the current folder)
  -p, --port PORT        same as the positional port
      --cors             send Access-Control-Allow-Origin: * (and answer CORS preflights)
      --cache SECONDS    Cache-Control max-age (default: no-cache, revalidated with ETag/Last-Modified)
      --spa[=FILE]       send FILE (default index.html) with 200 for paths with no file behind them,
                         only to clients that accept HTML (single-page apps); the log says so
      --no-listing       answer 404 for folders without index.html instead of listing them
      --show-hidden      serve and list dotfiles (alias --hidden); hidden by default
      --follow-symlinks  follow symlinks that point outside the folder (refused by default)
      --gzip, --no-gzip  compress text on the fly with br/gzip (default on); precompressed .br/.gz
                         siblings are always used (one created while serving, within a second)
      --tls              HTTPS with a self-signed certificate for localhost, 127.0.0.1 and ::1, made on
                         first use and kept in $XDG_CACHE_HOME/wirehttp (or ~/.cache/wirehttp)
      --cert FILE --key FILE  HTTPS with your own certificate and key (PEM)
      --upload           accept uploads: PUT /path/name writes that file, a multipart POST to a folder
                         writes its files (the listing shows a form); 201 Created with Location
      --overwrite        let uploads replace existing files (default: 409 Conflict; alias --upload-overwrite)
      --max-upload SIZE  largest upload, e.g. 500K, 20M, 2G (default 100M) -> 413 past it
      --watch            live reload: HTML pages get a small script that reloads them when a file
                         under the folder changes (server-sent events on /__wirehttp/events)
  -q, --quiet            no access log
      --log FORMAT       access log on stderr: text (default; coloured on a terminal) or json (one object
                         per request: time, client, method, target, status, bytes, ms, user agent, notes)
${WORKERS_USAGE}${TRUST_PROXY_USAGE}  -h, --help             show this help

Lab switches (watch the protocol cope with trouble):
      --delay MS         wait MS milliseconds before answering each request
      --throttle BYTES_PER_S  send response bodies at most that fast
      --chunked          send every body with Transfer-Encoding: chunked (no Content-Length)
      --http1.0          answer with HTTP/1.0's rules: no chunked coding (a body of unknown length ends
                         when the connection closes), and a close after each response unless the client
                         asked for keep-alive
      --drop-after BYTES cut the connection after that many bytes of a response body
${inspectUsage('serve')}
Examples:
  wirehttp serve                          # this folder on http://127.0.0.1:8000/
  wirehttp serve 0 -d site                # a free port, printed at start
  wirehttp serve 8080 -b 0.0.0.0          # share on your network (every address is printed)
  wirehttp serve --spa --watch -d dist    # a single-page app that reloads as you edit
  wirehttp serve --upload -d inbox        # curl -T report.pdf http://127.0.0.1:8000/
  wirehttp serve --tls                    # https://127.0.0.1:8000/ with a cached self-signed certificate
  wirehttp serve --log json 2> access.jsonl    # one JSON object per request
  wirehttp serve --throttle 2000 --chunked --trace   # watch a slow chunked response byte by byte
`;

/** LogFormat is how the access log is written; 'off' with --quiet. */
export type LogFormat = 'text' | 'json' | 'off';

/** LabArgs are the lab switches; all undefined/false means the engine answers untouched. */
export interface LabArgs {
  delayMs: number | undefined;
  bytesPerSecond: number | undefined;
  dropAfter: number | undefined;
  chunked: boolean;
  http10: boolean;
}

export interface ServeArgs {
  port: number;
  bind: string;
  directory: string;
  cors: boolean;
  listing: boolean;
  hidden: boolean;
  followSymlinks: boolean;
  gzip: boolean;
  spa: string | undefined;
  cacheSeconds: number | undefined;
  tls: { kind: 'self-signed' } | { kind: 'files'; cert: string; key: string } | undefined;
  upload: { overwrite: boolean; maxBytes: number } | undefined;
  watch: boolean;
  log: LogFormat;
  lab: LabArgs;
  workers: number | 'auto' | undefined;
  trustProxy: string[] | undefined;
  inspect: InspectArgs;
}

const DEFAULT_MAX_UPLOAD = 100 * 1024 * 1024;

/** parseServeArgs turns argv into ServeArgs or throws CliError (exit 2) with one line for the user. */
export function parseServeArgs(allArgv: string[]): ServeArgs | 'help' {
  const { argv, inspect } = takeInspectArgs('serve', allArgv);
  const { values: v, positionals } = parseFlags('serve', {
    args: spaValue(argv),
    allowPositionals: true,
    strict: true,
    options: {
      bind: { type: 'string', short: 'b' }, directory: { type: 'string', short: 'd' }, port: { type: 'string', short: 'p' },
      cors: { type: 'boolean' }, 'no-listing': { type: 'boolean' }, hidden: { type: 'boolean' }, 'show-hidden': { type: 'boolean' },
      'follow-symlinks': { type: 'boolean' }, gzip: { type: 'boolean' }, 'no-gzip': { type: 'boolean' }, spa: { type: 'string' },
      cache: { type: 'string' }, tls: { type: 'boolean' }, cert: { type: 'string' }, key: { type: 'string' },
      upload: { type: 'boolean' }, overwrite: { type: 'boolean' }, 'upload-overwrite': { type: 'boolean' }, 'max-upload': { type: 'string' },
      watch: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, log: { type: 'string' },
      delay: { type: 'string' }, throttle: { type: 'string' }, chunked: { type: 'boolean' }, 'http1.0': { type: 'boolean' }, 'drop-after': { type: 'string' },
      help: { type: 'boolean', short: 'h' }, workers: { type: 'string' }, 'trust-proxy': { type: 'string' },
    },
  });
  if (v.help === true) return 'help';
  if (positionals.length > 1) throw new CliError(`serve: unexpected argument '${positionals[1]}'`, 2);
  if (v.port !== undefined && positionals.length > 0) throw new CliError('serve: give the port once (positional or --port)', 2);
  const portText = v.port ?? positionals[0] ?? '8000';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError(`serve: invalid port '${portText}' (0-65535)`, 2);
  const directory = resolve(v.directory ?? '.');
  if (!isDirectory(directory)) throw new CliError(`serve: no such folder: ${directory}`, 2);
  const spa = v.spa;
  if (spa !== undefined && !isFile(resolve(directory, spa))) throw new CliError(`serve: --spa page not found: ${resolve(directory, spa)}`, 2);
  if (v.gzip === true && v['no-gzip'] === true) throw new CliError('serve: --gzip and --no-gzip contradict each other', 2);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new CliError('serve: --cert and --key go together', 2);
  if (v.tls === true && v.cert !== undefined) throw new CliError('serve: use either --tls (self-signed) or --cert/--key', 2);
  const log = v.quiet === true ? 'off' : (v.log ?? 'text');
  if (log !== 'text' && log !== 'json' && log !== 'off') throw new CliError(`serve: invalid --log '${log}' (text or json)`, 2);
  const overwrite = v.overwrite === true || v['upload-overwrite'] === true;
  if ((overwrite || v['max-upload'] !== undefined) && v.upload !== true) throw new CliError('serve: --overwrite and --max-upload need --upload', 2);
  if (v.workers !== undefined && v.watch === true) throw new CliError('serve: --watch keeps its reload clients in one process: drop --workers to use it', 2);
  return {
    port: Number(portText),
    bind: v.bind ?? '127.0.0.1',
    directory,
    cors: v.cors === true,
    listing: v['no-listing'] !== true,
    hidden: v.hidden === true || v['show-hidden'] === true,
    followSymlinks: v['follow-symlinks'] === true,
    gzip: v['no-gzip'] !== true,
    spa,
    cacheSeconds: count(v.cache, '--cache', 'seconds'),
    tls: v.tls === true ? { kind: 'self-signed' } : v.cert !== undefined ? { kind: 'files', cert: v.cert, key: v.key! } : undefined,
    upload: v.upload === true ? { overwrite, maxBytes: v['max-upload'] === undefined ? DEFAULT_MAX_UPLOAD : parseSize(v['max-upload']) } : undefined,
    watch: v.watch === true,
    log,
    lab: {
      delayMs: count(v.delay, '--delay', 'milliseconds'),
      bytesPerSecond: count(v.throttle, '--throttle', 'bytes per second', 1),
      dropAfter: count(v['drop-after'], '--drop-after', 'bytes'),
      chunked: v.chunked === true,
      http10: v['http1.0'] === true,
    },
    workers: v.workers === undefined ? undefined : parseWorkers('serve', v.workers),
    trustProxy: v['trust-proxy'] === undefined ? undefined : parseTrustProxy('serve', v['trust-proxy']),
    inspect,
  };
}

/**
 * spaValue gives `--spa` its optional value before parseArgs (which has no optional values):
 * `--spa=FILE` and `--spa FILE` name the page, a bare `--spa` means index.html. The next word is the
 * page only when it looks like a file name, so `serve --spa 8080` still reads 8080 as the port.
 */
function spaValue(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a !== '--spa') {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-') && !/^\d+$/.test(next)) {
      out.push(`--spa=${next}`);
      i++;
    } else {
      out.push('--spa=index.html');
    }
  }
  return out;
}

/** count reads a non-negative integer flag value (at least `min`); throws CliError naming the flag. */
function count(text: string | undefined, flag: string, unit: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new CliError(`serve: invalid ${flag} '${text}' (${unit}${min > 0 ? `, at least ${min}` : ''})`, 2);
  return n;
}

/** parseSize reads `1048576`, `500K`, `20M`, `2G` (optionally with B/iB; powers of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(text);
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;
  const n = m === null ? NaN : Math.floor(Number(m[1]) * scale[m[2]!.toUpperCase() as keyof typeof scale]);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliError(`serve: invalid --max-upload '${text}' (a size like 500K, 20M or 2G)`, 2);
  return n;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
