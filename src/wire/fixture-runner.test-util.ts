import { WireError } from './errors.js';
import type { HeaderList } from './headers.js';
import type { MessageSink } from './message.js';

/** Parser is the part of both parsers the fixture runner drives. */
export interface FeedableParser {
  feed(chunk: Buffer): number;
  finish(): void;
}

/** eventLog renders parser events as short strings, e.g. `head GET / 1.1 [Host: a]`, `body "abc"`, `end`. */
export function eventSink<Head>(log: string[], describe: (head: Head) => string): MessageSink<Head> {
  return {
    onHead: (head) => log.push(describe(head)),
    onBody: (chunk) => {
      // Adjacent body events are merged so the log does not depend on how the input was split.
      const last = log[log.length - 1];
      const text = chunk.toString('latin1');
      if (last !== undefined && last.startsWith('body ')) log[log.length - 1] = `body ${JSON.stringify(JSON.parse(last.slice(5)) + text)}`;
      else log.push(`body ${JSON.stringify(text)}`);
    },
    onTrailers: (t: HeaderList) => log.push(`trailers [${[...t].map(([k, v]) => `${k}: ${v}`).join(', ')}]`),
    onEnd: () => log.push('end'),
  };
}

/**
 * splits yields the ways a fixture is fed: whole, one byte at a time, and cut in two at every offset.
 * Each is a list of chunks.
 */
export function* splits(input: Buffer): Generator<{ how: string; chunks: Buffer[] }> {
  yield { how: 'whole', chunks: [input] };
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  yield { how: 'bytewise', chunks: bytes };
  for (let cut = 1; cut < input.length; cut++) yield { how: `cut at ${cut}`, chunks: [input.subarray(0, cut), input.subarray(cut)] };
}

/** run feeds the chunks to a fresh parser and returns its log, ending with `error CODE @OFFSET` on failure. */
export function run(make: (log: string[]) => FeedableParser, chunks: Buffer[], finish: boolean): string[] {
  const log: string[] = [];
  const parser = make(log);
  let consumed = 0;
  try {
    for (const chunk of chunks) {
      // Copy each chunk so a view kept past its feed() would show up as corrupted data.
      const own = Buffer.from(chunk);
      const used = parser.feed(own);
      consumed += used;
      if (used < own.length) {
        log.push(`paused at ${consumed}`);
        return log;
      }
    }
    if (finish) parser.finish();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    log.push(`error ${error.code} @${error.offset}`);
  }
  return log;
}
