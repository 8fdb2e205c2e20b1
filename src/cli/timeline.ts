import { readFileSync, writeFileSync } from 'node:fs';
import type { Har } from '../inspect/har.js';
import { timelineFromHar, timelineSvg } from '../inspect/timeline.js';
import { parseFlags } from './flags.js';
import { CliError } from './output.js';

const USAGE = `Usage: wirehttp timeline FILE.har [-o FILE.svg] [--title TEXT]

Draw the exchanges of a HAR file (from --har, or exported by browser devtools) as an SVG
connection timeline: one lane per connection, one bar per exchange, coloured by phase (request
sent, waiting for the answer, response received). Keep-alive shows as bars one after another in
a lane, pipelining as overlapping bars in one lane, one request per connection as many lanes.

Options:
  -o, --output FILE   write the SVG to FILE (default: standard output)
      --title TEXT    the heading drawn above the timeline
  -h, --help          show this help

Example:
  wirehttp serve 8000 --delay 200 --har lab.har      # make some requests, then Ctrl+C
  wirehttp timeline lab.har -o lab.svg
`;

/** main runs `wirehttp timeline`: exit 0 when written, 1 when the HAR cannot be read, 2 on usage errors. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('timeline', {
    args: argv,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, title: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('timeline: give one HAR file (try --help)', 2);
  const file = positionals[0]!;
  const har = readHar(file);
  let svg: string;
  try {
    const timeline = timelineFromHar(har);
    svg = timelineSvg(timeline, { ...(values.title !== undefined ? { title: values.title } : {}), subtitle: subtitle(file, timeline.lanes.length, har.log.entries.length) });
  } catch (error) {
    throw new CliError(`timeline: ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  if (values.output === undefined) {
    process.stdout.write(svg);
    return 0;
  }
  try {
    writeFileSync(values.output, svg);
  } catch (error) {
    throw new CliError(`timeline: cannot write ${values.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
  return 0;
}

function subtitle(file: string, lanes: number, entries: number): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return `${base}: ${lanes} connection${lanes === 1 ? '' : 's'}, ${entries} exchange${entries === 1 ? '' : 's'}`;
}

/** readHar loads a HAR file and checks the fields the timeline uses; throws CliError (exit 1) with one line. */
function readHar(file: string): Har {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`timeline: cannot read ${file}: ${code ?? 'not JSON'}`, 1, { cause: error });
  }
  const entries = (value as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new CliError(`timeline: ${file} is not a HAR file (no log.entries)`, 1);
  entries.forEach((e: unknown, i) => {
    const entry = e as { startedDateTime?: unknown; timings?: Record<string, unknown>; request?: { method?: unknown; url?: unknown }; response?: { status?: unknown } } | null;
    const ok = entry !== null && typeof entry === 'object'
      && typeof entry.startedDateTime === 'string'
      && typeof entry.timings === 'object' && entry.timings !== null
      && ['send', 'wait', 'receive'].every((k) => typeof entry.timings![k] === 'number')
      && typeof entry.request?.method === 'string' && typeof entry.request.url === 'string'
      && typeof entry.response?.status === 'number';
    if (!ok) throw new CliError(`timeline: ${file}: entry ${i} lacks startedDateTime, timings, request or response`, 1);
  });
  return value as Har;
}
