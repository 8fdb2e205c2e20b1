// The "app" bench scenario: a JSON route with one path parameter (/users/:id -> {id, name}),
// keep-alive, 50 connections, our App against fastify and Express in the same run (issue 5).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureWrk, runWrk } from './wrk.js';
import { median, turnOrder } from './rounds.js';

const FRAMEWORKS = ['ours', 'fastify', 'express'] as const;
const TARGET_VS_FASTIFY = 1.3;

interface Running {
  port: number;
  stop(): Promise<void>;
}

/** startAppServer runs bench/app-servers.js KIND pinned to core 0 and resolves once it listens. */
function startAppServer(kind: string): Promise<Running> {
  const script = fileURLToPath(new URL('./app-servers.js', import.meta.url));
  const child: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, script, kind, '0'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`app bench server ${kind} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m === null) return;
      child.removeAllListeners('exit');
      resolve({
        port: Number(m[1]),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * runAppBench interleaves `rounds` rounds of wrk (-c50, keep-alive) against each framework, prints
 * medians with ratios to fastify, and returns them for the results file. Each server first answers
 * one request checked for the expected JSON, so a broken route cannot pass as a fast one.
 */
export async function runAppBench(rounds: number, seconds: number, write: (text: string) => void): Promise<Record<string, { rps: number; p99: number | undefined; errors: number }>> {
  ensureWrk();
  write(`app: JSON route /users/:id, keep-alive, 50 connections, ${rounds} interleaved rounds of ${seconds}s\n`);
  const samples = new Map<string, Array<{ rps: number; p99: number | undefined; errors: number }>>();
  for (let round = 0; round < rounds; round++) {
    for (const kind of turnOrder(FRAMEWORKS, round)) {
      const server = await startAppServer(kind);
      const url = `http://127.0.0.1:${server.port}/users/42`;
      try {
        const check = await fetch(url).then((r) => r.json());
        if (JSON.stringify(check) !== '{"id":"42","name":"user 42"}') throw new Error(`${kind} answered ${JSON.stringify(check)}`);
        runWrk(url, ['-c50'], 2); // warm-up (JIT, connection setup)
        const r = runWrk(url, ['-c50'], seconds);
        samples.set(kind, [...(samples.get(kind) ?? []), { rps: r.requestsPerSecond, p99: r.p99Ms, errors: r.errors }]);
      } finally {
        await server.stop();
      }
    }
  }
  const out: Record<string, { rps: number; p99: number | undefined; errors: number }> = {};
  for (const [kind, list] of samples) {
    const p99s = list.map((s) => s.p99).filter((v): v is number => v !== undefined);
    out[kind] = { rps: median(list.map((s) => s.rps)), p99: p99s.length > 0 ? median(p99s) : undefined, errors: list.reduce((a, s) => a + s.errors, 0) };
  }
  const fastify = out.fastify!.rps;
  for (const kind of FRAMEWORKS) {
    const r = out[kind]!;
    const p99 = r.p99 === undefined ? '' : `  p99 ${r.p99.toFixed(2)} ms`;
    const errors = r.errors > 0 ? `  (${r.errors} errors)` : '';
    write(`  ${kind.padEnd(14)} ${r.rps.toFixed(0).padStart(9)} req/s  ${(r.rps / fastify).toFixed(2)}x fastify${p99}${errors}\n`);
  }
  const ratio = out.ours!.rps / fastify;
  write(`  target ours >= ${TARGET_VS_FASTIFY}x fastify: ${ratio.toFixed(2)}x ${ratio >= TARGET_VS_FASTIFY ? 'PASS' : 'FAIL'}\n\n`);
  return out;
}
