import { CliError } from './output.js';

/** DataPart is one -d/--data-binary/--data-raw/--data-urlencode/--json argument, in order. */
export interface DataPart {
  kind: 'ascii' | 'binary' | 'raw' | 'urlencode' | 'json';
  value: string;
}

/** FormPart is one -F argument: `name=value`, `name=@file[;type=…][;filename=…]` or `name=<file`. */
export interface FormPart {
  name: string;
  value: string;
}

/** RequestArgs is the parsed command line of `wirehttp request`, curl's option names and meanings. */
export interface RequestArgs {
  urls: string[];
  method: string | undefined;
  headers: string[];
  data: DataPart[];
  form: FormPart[];
  head: boolean;
  include: boolean;
  verbose: boolean;
  location: boolean;
  maxRedirs: number;
  outputs: string[];
  remoteName: number;
  range: string | undefined;
  resume: boolean;
  insecure: boolean;
  cacert: string | undefined;
  http10: boolean;
  compressed: boolean;
  user: string | undefined;
  cookie: string[];
  cookieJar: string | undefined;
  writeOut: string | undefined;
  silent: boolean;
  showError: boolean;
  fail: boolean;
  failWithBody: boolean;
  connectTimeout: number | undefined;
  maxTime: number | undefined;
  dryRun: boolean;
  raw: string | undefined;
  crlf: boolean;
  tls: boolean;
  userAgent: string | undefined;
  referer: string | undefined;
  dumpHeader: string | undefined;
  help: boolean;
}

type Flag = Exclude<{ [K in keyof RequestArgs]: RequestArgs[K] extends boolean ? K : never }[keyof RequestArgs], undefined>;

/** Boolean options: long name → field; short letters map through SHORT. */
const FLAGS: Record<string, Flag> = {
  head: 'head', include: 'include', verbose: 'verbose', location: 'location', insecure: 'insecure',
  'http1.0': 'http10', compressed: 'compressed', silent: 'silent', 'show-error': 'showError', fail: 'fail',
  'fail-with-body': 'failWithBody', 'dry-run': 'dryRun', crlf: 'crlf', tls: 'tls', help: 'help',
};

/** Options taking a value. */
const VALUED = new Set([
  'request', 'header', 'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode', 'json', 'form', 'max-redirs', 'output',
  'range', 'continue-at', 'cacert', 'user', 'cookie', 'cookie-jar', 'write-out', 'connect-timeout', 'max-time', 'raw', 'url',
  'user-agent', 'referer', 'dump-header',
]);

const SHORT: Record<string, string> = {
  X: 'request', H: 'header', d: 'data', F: 'form', I: 'head', i: 'include', v: 'verbose', L: 'location', o: 'output',
  O: 'remote-name', r: 'range', C: 'continue-at', k: 'insecure', u: 'user', b: 'cookie', c: 'cookie-jar', w: 'write-out',
  s: 'silent', S: 'show-error', f: 'fail', m: 'max-time', A: 'user-agent', e: 'referer', D: 'dump-header', h: 'help', '0': 'http1.0',
};

export function defaultArgs(): RequestArgs {
  return {
    urls: [], method: undefined, headers: [], data: [], form: [], head: false, include: false, verbose: false, location: false,
    maxRedirs: 50, outputs: [], remoteName: 0, range: undefined, resume: false, insecure: false, cacert: undefined, http10: false,
    compressed: false, user: undefined, cookie: [], cookieJar: undefined, writeOut: undefined, silent: false, showError: false,
    fail: false, failWithBody: false, connectTimeout: undefined, maxTime: undefined, dryRun: false, raw: undefined, crlf: false,
    tls: false, userAgent: undefined, referer: undefined, dumpHeader: undefined, help: false,
  };
}

/**
 * parseRequestArgs reads curl-style arguments: `-X POST`, `-XPOST`, bundled flags (`-sSfL`), a value
 * glued to the last letter of a bundle (`-sLo out`), `--name value`, `--name=value`, `--` ends options.
 * Throws CliError (exit 2, like curl's "option unknown") on unknown options or missing values.
 */
export function parseRequestArgs(argv: readonly string[]): RequestArgs {
  const args = defaultArgs();
  let i = 0;
  const take = (name: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new CliError(`option --${name}: requires a value`, 2);
    return v;
  };
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') {
      args.urls.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name === 'remote-name') args.remoteName++;
      else if (FLAGS[name] !== undefined) args[FLAGS[name]] = true;
      else if (VALUED.has(name)) apply(args, name, eq < 0 ? take(name) : a.slice(eq + 1));
      else throw new CliError(`option ${a}: is unknown (try 'wirehttp request --help')`, 2);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const name = SHORT[a[j]!];
        if (name === undefined) throw new CliError(`option -${a[j]}: is unknown (try 'wirehttp request --help')`, 2);
        if (name === 'remote-name') args.remoteName++;
        else if (FLAGS[name] !== undefined) args[FLAGS[name]] = true;
        else {
          apply(args, name, j + 1 < a.length ? a.slice(j + 1) : take(name));
          break;
        }
      }
    } else {
      args.urls.push(a);
    }
    i++;
  }
  return args;
}

function number(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliError(`option --${name}: expected a proper numerical parameter`, 2);
  return n;
}

function apply(args: RequestArgs, name: string, value: string): void {
  switch (name) {
    case 'request': args.method = value; break;
    case 'header': args.headers.push(value); break;
    case 'data': case 'data-ascii': args.data.push({ kind: 'ascii', value }); break;
    case 'data-binary': args.data.push({ kind: 'binary', value }); break;
    case 'data-raw': args.data.push({ kind: 'raw', value }); break;
    case 'data-urlencode': args.data.push({ kind: 'urlencode', value }); break;
    case 'json': args.data.push({ kind: 'json', value }); break;
    case 'form': {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new CliError(`option -F: is badly used here (expected name=content)`, 2);
      args.form.push({ name: value.slice(0, eq), value: value.slice(eq + 1) });
      break;
    }
    case 'max-redirs': args.maxRedirs = Number.parseInt(value, 10); break;
    case 'output': args.outputs.push(value); break;
    case 'range': args.range = value; break;
    case 'continue-at':
      if (value !== '-') throw new CliError('option -C: only `-C -` (resume from the output file size) is supported', 2);
      args.resume = true;
      break;
    case 'cacert': args.cacert = value; break;
    case 'user': args.user = value; break;
    case 'cookie': args.cookie.push(value); break;
    case 'cookie-jar': args.cookieJar = value; break;
    case 'write-out': args.writeOut = value; break;
    case 'connect-timeout': args.connectTimeout = number(name, value); break;
    case 'max-time': args.maxTime = number(name, value); break;
    case 'raw': args.raw = value; break;
    case 'url': args.urls.push(value); break;
    case 'user-agent': args.userAgent = value; break;
    case 'referer': args.referer = value; break;
    case 'dump-header': args.dumpHeader = value; break;
    default: throw new CliError(`option --${name}: is unknown`, 2);
  }
}

export const REQUEST_USAGE = `Usage: wirehttp request [options] URL...
       wirehttp request --raw HOST:PORT [--tls] [-k] [--crlf] [-m SECS] < request-bytes

curl-compatible options:
  -X, --request METHOD      -H, --header 'Name: value'   -d, --data DATA|@file (urlencoded)
  --data-binary DATA|@FILE|@-  --data-raw DATA  --data-urlencode DATA  --json DATA
  -F, --form name=value|name=@file   -I, --head   -i, --include   -v, --verbose
  -L, --location   --max-redirs N   -o, --output FILE   -O, --remote-name   -r, --range RANGE
  -C -   -k, --insecure   --cacert FILE   -0, --http1.0   --compressed   -u, --user user:pass
  -b, --cookie FILE|'n=v'   -c, --cookie-jar FILE   -w, --write-out FORMAT   -s, -S, -f
  --fail-with-body   --connect-timeout SECS   -m, --max-time SECS   -A, --user-agent UA
  -e, --referer URL   -D, --dump-header FILE   --dry-run (print the request bytes and exit)
`;
