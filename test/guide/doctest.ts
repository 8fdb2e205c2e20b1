/**
 * The guide's doc-test format: every ```console block in docs/guide/*.md is a list of steps, each a
 * `$ command` line (a trailing `\` continues it on the next line) followed by the output the reader
 * should see. The runner executes the commands in order and compares. Expected output may mark the
 * parts that change from run to run:
 *   - `…` inside a line matches any run of characters on that line (dates, timings, sizes);
 *   - a line that is exactly `...` matches any number of lines, including none;
 *   - a last line `[exit N]` says the command must exit with N (otherwise 0 is required);
 *   - a command ending in ` &` starts in the background (a server): the lines shown are the first it
 *     prints, and it is stopped when the chapter ends.
 * The chapter's first lines may hold `<!-- doctest: ports 8000 5000 -->` (these ports are replaced by
 * free ones in commands and output, so readers see the usual numbers) and `<!-- doctest: needs tshark
 * "apt-get install -y tshark" -->`. A block preceded by `<!-- doctest: skip -->` is shown, not run.
 */

export interface Step {
  command: string;
  expected: string[];
  exitCode: number;
  background: boolean;
  /** 1-based line of the `$` in the markdown file, for failure messages. */
  line: number;
}

export interface Chapter {
  ports: number[];
  needs: Array<{ command: string; install: string }>;
  steps: Step[];
}

const FENCE = /^```(\w*)\s*$/;
const EXIT = /^\[exit (\d+)\]$/;

/** parseChapter reads the markdown of one chapter into its steps. */
export function parseChapter(markdown: string): Chapter {
  const lines = markdown.split('\n');
  const chapter: Chapter = { ports: [], needs: [], steps: [] };
  let skipNext = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const directive = /^<!--\s*doctest:\s*(\w+)\s*(.*?)\s*-->\s*$/.exec(line);
    if (directive !== null) {
      const [, verb, rest] = directive;
      if (verb === 'ports') chapter.ports.push(...rest!.split(/\s+/).map(Number));
      else if (verb === 'needs') {
        const m = /^(\S+)\s+"(.*)"$/.exec(rest!);
        if (m === null) throw new Error(`line ${i + 1}: needs takes a command and a quoted install line`);
        chapter.needs.push({ command: m[1]!, install: m[2]! });
      } else if (verb === 'skip') skipNext = true;
      else throw new Error(`line ${i + 1}: unknown doctest directive '${verb}'`);
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence === null) continue;
    const body: Array<{ text: string; line: number }> = [];
    let j = i + 1;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]!); j++) body.push({ text: lines[j]!, line: j + 1 });
    if (fence[1] === 'console' && !skipNext) chapter.steps.push(...parseBlock(body));
    if (fence[1] !== '') skipNext = false;
    i = j;
  }
  return chapter;
}

function parseBlock(body: Array<{ text: string; line: number }>): Step[] {
  const steps: Step[] = [];
  let current: Step | undefined;
  let continuing = false;
  for (const { text, line } of body) {
    if (continuing && current !== undefined) {
      current.command += `\n${text}`;
      continuing = text.endsWith('\\');
      continue;
    }
    if (text.startsWith('$ ')) {
      current = { command: text.slice(2), expected: [], exitCode: 0, background: false, line };
      steps.push(current);
      continuing = text.endsWith('\\');
      continue;
    }
    if (current === undefined) throw new Error(`line ${line}: output before any '$ ' command`);
    const exit = EXIT.exec(text.trim());
    if (exit !== null) current.exitCode = Number(exit[1]);
    else current.expected.push(text);
  }
  for (const step of steps) {
    if (/\s&$/.test(step.command)) {
      step.background = true;
      step.command = step.command.replace(/\s&$/, '');
    }
    while (step.expected.length > 0 && step.expected[step.expected.length - 1]!.trim() === '') step.expected.pop();
  }
  return steps;
}

/** substitutePorts rewrites each guide port to the free port chosen for this run. */
export function substitutePorts(text: string, ports: ReadonlyMap<number, number>): string {
  let out = text;
  for (const [from, to] of ports) out = out.replace(new RegExp(`(?<![\\d.])${from}(?!\\d)`, 'g'), String(to));
  return out;
}

function lineMatches(pattern: string, actual: string): boolean {
  const p = pattern.trimEnd();
  const a = actual.trimEnd();
  if (!p.includes('…')) return p === a;
  const source = p.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(a);
}

/** matchOutput compares actual output lines with the expected ones (markers as described above). */
export function matchOutput(expected: readonly string[], actual: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const at = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (e === expected.length) result = actual.slice(a).every((l) => l.trim() === '');
    else if (expected[e]!.trim() === '...') result = at(e + 1, a) || (a < actual.length && at(e, a + 1));
    else result = a < actual.length && lineMatches(expected[e]!, actual[a]!) && at(e + 1, a + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** matchPrefix is matchOutput for a background command: its first lines must match, more may follow. */
export function matchPrefix(expected: readonly string[], actual: readonly string[]): boolean {
  return matchOutput([...expected, '...'], actual);
}
