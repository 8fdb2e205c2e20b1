// Runs every command block of docs/guide/*.md (see doctest.ts for the format) so the guide fails CI
// when wirehttp's behaviour drifts from what it tells readers.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { toolSkip } from '../support/tools.js';
import { matchOutput, matchPrefix, parseChapter, substitutePorts, type Step } from './doctest.js';

const root = resolve(new URL('../../..', import.meta.url).pathname);
const guideDir = join(root, 'docs', 'guide');
const STEP_TIMEOUT_MS = 20_000;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A workspace per chapter: an empty folder, and `wirehttp` on PATH running this checkout's build. */
function makeWorkspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-guide-'));
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'wirehttp'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'wirehttp.js')}" "$@"\n`);
  chmodSync(join(bin, 'wirehttp'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1', TZ: 'UTC', XDG_CACHE_HOME: join(dir, '.cache') };
  delete env.FORCE_COLOR;
  return { dir, env };
}

/**
 * start runs one command in bash. One descriptor for both streams keeps the order the program wrote
 * them in. Lower-case shell variables carry over from step to step (`$ etag=$(…)` then `$etag`), as
 * they would in the reader's terminal: each step reads them from `state` and writes them back.
 */
function start(command: string, cwd: string, env: NodeJS.ProcessEnv, state: string): { child: ChildProcess; output: () => string; done: Promise<number> } {
  const script = [
    'exec 2>&1',
    `[ -f '${state}' ] && . '${state}'`,
    command,
    'rc=$?',
    // the reader's own variables: lower-case, not exported (the environment is given anew each step)
    `for __v in $(compgen -v); do case "$__v" in rc|[!a-z]*) continue;; esac; [[ "\${!__v@a}" == *x* ]] || declare -p "$__v"; done > '${state}'`,
    'exit $rc',
  ].join('\n');
  const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const done = new Promise<number>((res) => child.on('close', (code, signal) => res(code ?? (signal === null ? 1 : 128))));
  return { child, output: () => text, done };
}

function stop(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * Wireshark's tools warn on every start when run as root, as the guide's test often is and readers
 * seldom are: that one line is left out so the chapters show what a reader sees.
 */
const ROOT_WARNING = /^Running as user "[^"]*" and group "[^"]*"\. This could be dangerous\.$/;

function lines(text: string): string[] {
  return text.replace(/\r/g, '').replace(/\n$/, '').split('\n').filter((l) => !ROOT_WARNING.test(l));
}

function describeFailure(step: Step, expected: string[], actual: string, code?: number): string {
  return [`guide line ${step.line}: $ ${step.command}`, '--- expected', ...expected, '--- actual' + (code === undefined ? '' : ` (exit ${code})`), actual].join('\n');
}

const chapters = readdirSync(guideDir).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();

for (const file of chapters) {
  const chapter = parseChapter(readFileSync(join(guideDir, file), 'utf8'));
  let skip: string | false = false;
  for (const need of chapter.needs) skip ||= toolSkip(need.command, need.install);
  describe(`guide ${file}`, { skip }, () => {
    const { dir, env } = makeWorkspace();
    const ports = new Map<number, number>();
    const background: ChildProcess[] = [];
    let cwd = dir;
    after(() => {
      for (const child of background) stop(child);
      rmSync(dir, { recursive: true, force: true });
    });
    for (const step of chapter.steps) {
      test(`line ${step.line}: ${step.command.split('\n')[0]}`, { timeout: STEP_TIMEOUT_MS + 5000 }, async () => {
        if (ports.size === 0) for (const p of chapter.ports) ports.set(p, await freePort());
        const command = substitutePorts(step.command, ports);
        const expected = step.expected.map((l) => substitutePorts(l, ports));
        const cd = /^cd\s+(\S+)$/.exec(command);
        if (cd !== null) {
          cwd = resolve(cwd, cd[1]!);
          return;
        }
        const run = start(command, cwd, env, join(dir, '.doctest-state'));
        if (step.background) {
          background.push(run.child);
          const deadline = Date.now() + 10_000;
          while (!matchPrefix(expected, lines(run.output()))) {
            if (Date.now() > deadline) throw new Error(describeFailure(step, expected, run.output()));
            await new Promise((r) => setTimeout(r, 50));
          }
          return;
        }
        const timer = setTimeout(() => stop(run.child), STEP_TIMEOUT_MS);
        const code = await run.done;
        clearTimeout(timer);
        if (code !== step.exitCode || !matchOutput(expected, lines(run.output()))) {
          throw new Error(describeFailure(step, expected, run.output(), code));
        }
      });
    }
  });
}
