// `npm run bench`: wirehttp against its anchors, side by side in one run (see shared/PERFORMANCE.md).
// Servers are pinned to core 0 and wrk to core 1; rounds are interleaved and medians reported,
// because only ratios measured in the same run mean anything on these noisy machines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runAppBench } from './app-bench.js';
import { runClientBench } from './client.js';
import { busyShare, coreTicks, cpuSeconds } from './cpu.js';
import { idleMemoryPerConnection } from './idle-memory.js';
import { startServer, type RunningServer } from './servers.js';
import { ensureWrk, pipelineLua, runWrk, type WrkResult } from './wrk.js';
import { median, pairedRatio, turnOrder } from './rounds.js';

const SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The engine's targets are judged on the median of per-round ratios: five rounds, so that one round the machine skewed cannot decide it. */
const ENGINE_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10_000);

/** A load scenario: the same wrk arguments against each server in turn. */
interface Scenario {
  name: string;
  wrkArgs: () => string[];
  servers: string[];
  /** Whether wrk's latency percentiles mean anything (not when pipelining). */
  latency: boolean;
}

const HELLO = ['ours', 'node-http', 'raw-responder'];
const scenarios: Scenario[] = [
  { name: 'keep-alive, 50 connections', wrkArgs: () => ['-c50'], servers: HELLO, latency: true },
  { name: '16-deep pipelining, 50 connections', wrkArgs: () => ['-c50', '-s', pipelineLua(16)], servers: HELLO, latency: false },
  { name: 'one request per connection, 10 connections', wrkArgs: () => ['-c10', '-H', 'Connection: close'], servers: HELLO, latency: true },
];

/** Target ratios of ours to node:http (issue: foundation). */
const TARGETS: Record<string, { min?: number; p99?: boolean }> = {
  'keep-alive, 50 connections': { min: 1.5, p99: true },
  '16-deep pipelining, 50 connections': { min: 5 },
  'one request per connection, 10 connections': { min: 1.2 },
};

/** Above this share of busy time on wrk's core, a round measured the load generator rather than the server. */
const CLIENT_BOUND_PERCENT = 95;

/** Medians of one server's rounds: req/s, wrk's p99, and the server's CPU time per request in µs. */
interface Measured {
  rps: number;
  /** Each round's req/s, in order: the spread shows how much the machine moved during the run. */
  rounds: number[];
  /** Each round's share of time wrk's core was busy, in %: near 100 the round measured wrk, not the server. */
  clientBusy: number[];
  cpuUs: number;
  p99: number | undefined;
  errors: number;
}

async function measure(scenario: Scenario): Promise<Map<string, Measured>> {
  // Every server starts and warms up once, then the rounds take turns (turnOrder): measurements of
  // one round lie seconds apart, with no restarts and warm-ups between them.
  const running = new Map<string, RunningServer>();
  const samples = new Map<string, Array<WrkResult & { clientBusy: number }>>();
  try {
    for (const name of scenario.servers) {
      const server = await startServer(name);
      running.set(name, server);
      runWrk(`http://127.0.0.1:${server.port}/`, scenario.wrkArgs(), 2); // warm-up
    }
    for (let round = 0; round < ENGINE_ROUNDS; round++) {
      for (const name of turnOrder(scenario.servers, round)) {
        const server = running.get(name)!;
        const cpuBefore = cpuSeconds(server.child.pid!);
        const clientBefore = coreTicks(1);
        const result = runWrk(`http://127.0.0.1:${server.port}/`, scenario.wrkArgs(), SECONDS);
        result.cpuUsPerRequest = ((cpuSeconds(server.child.pid!) - cpuBefore) / (result.requestsPerSecond * SECONDS)) * 1e6;
        samples.set(name, [...(samples.get(name) ?? []), { ...result, clientBusy: busyShare(clientBefore, coreTicks(1)) }]);
      }
    }
  } finally {
    await Promise.all([...running.values()].map((server) => server.stop()));
  }
  const out = new Map<string, Measured>();
  for (const [name, results] of samples) {
    const p99s = results.map((r) => r.p99Ms).filter((v): v is number => v !== undefined);
    out.set(name, {
      rps: median(results.map((r) => r.requestsPerSecond)),
      rounds: results.map((r) => Math.round(r.requestsPerSecond)),
      clientBusy: results.map((r) => Math.round(r.clientBusy * 100)),
      cpuUs: median(results.map((r) => r.cpuUsPerRequest ?? 0)),
      p99: scenario.latency && p99s.length > 0 ? median(p99s) : undefined,
      errors: results.reduce((a, r) => a + r.errors, 0),
    });
  }
  return out;
}

function mark(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = { date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, engineRounds: ENGINE_ROUNDS, scenarios: {} };
  // BENCH_ONLY=client runs just the client scenario (no wrk needed).
  if (process.env.BENCH_ONLY === 'client') {
    process.stdout.write(`wirehttp client bench: ${ROUNDS} interleaved rounds, server on core 0, client on core 1\n\n`);
    report.client = await runClientBench(ROUNDS, (t) => void process.stdout.write(t));
    return;
  }
  // BENCH_ONLY=app runs just the app framework scenario (ours vs fastify vs Express).
  if (process.env.BENCH_ONLY === 'app') return void (report.app = await runAppBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t)));
  if (process.env.BENCH_ONLY === 'serve') return void (report.serve = await (await import('./serve-bench.js')).runServeBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t)));
  const engineOnly = process.env.BENCH_ONLY === 'engine';
  if (process.env.BENCH_ONLY === 'inspect') return void (report.inspect = await (await import('./inspect-bench.js')).runInspectBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t)));
  ensureWrk();
  process.stdout.write(`wirehttp bench: ${ENGINE_ROUNDS} interleaved rounds of ${SECONDS}s (each round starts one server later), server on core 0, wrk on core 1\n\n`);
  for (const scenario of scenarios) {
    const results = await measure(scenario);
    const base = results.get('node-http')!;
    process.stdout.write(`${scenario.name}\n`);
    for (const [name, r] of results) {
      const ratio = r.rps / base.rps;
      const p99 = r.p99 === undefined ? '' : `  p99 ${r.p99.toFixed(2)} ms`;
      const errors = r.errors > 0 ? `  (${r.errors} errors)` : '';
      const cpu = `  ${r.cpuUs.toFixed(1).padStart(5)} µs CPU/req (${(base.cpuUs / r.cpuUs).toFixed(2)}x less)`;
      process.stdout.write(`  ${name.padEnd(14)} ${r.rps.toFixed(0).padStart(9)} req/s  ${ratio.toFixed(2)}x node:http${cpu}${p99}${errors}  (rounds: ${r.rounds.join(', ')}; wrk's core busy %: ${r.clientBusy.join(', ')})\n`);
    }
    const target = TARGETS[scenario.name];
    const ours = results.get('ours')!;
    if (target?.min !== undefined) {
      const ratio = pairedRatio(ours.rounds, base.rounds);
      const ofMedians = ours.rps / base.rps;
      process.stdout.write(`  target ours >= ${target.min}x node:http: ${ratio.toFixed(2)}x ${mark(ratio >= target.min)}  (median of the rounds' ratios; ratio of the medians ${ofMedians.toFixed(2)}x)\n`);
      const bound = ours.clientBusy.filter((busy) => busy >= CLIENT_BOUND_PERCENT).length;
      if (bound > 0) process.stdout.write(`  in ${bound} of ${ours.clientBusy.length} rounds wrk's core was >= ${CLIENT_BOUND_PERCENT}% busy while ours ran: there the figure is wrk's ceiling, a floor for ours\n`);
    }
    if (target?.p99 === true && ours.p99 !== undefined && base.p99 !== undefined) {
      process.stdout.write(`  target p99 ours <= node:http: ${ours.p99.toFixed(2)} vs ${base.p99.toFixed(2)} ms ${mark(ours.p99 <= base.p99)}\n`);
    }
    process.stdout.write('\n');
    (report.scenarios as Record<string, unknown>)[scenario.name] = Object.fromEntries(results);
  }

  process.stdout.write(`idle keep-alive connections: ${IDLE_CONNECTIONS} held open, ${ROUNDS} interleaved rounds (median)\n`);
  // one reading moves by about 0.1 KB with how the heap happened to grow: interleave and take medians
  const readings = new Map<string, number[]>([['ours', []], ['node-http', []]]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, list] of readings) {
      const server = await startServer(name);
      list.push(await idleMemoryPerConnection(server, IDLE_CONNECTIONS));
      await server.stop();
    }
  }
  const memory: Record<string, number> = {};
  for (const [name, list] of readings) {
    memory[name] = median(list);
    const each = list.map((b) => (b / 1024).toFixed(2)).join(', ');
    process.stdout.write(`  ${name.padEnd(14)} ${(memory[name]! / 1024).toFixed(2)} KB per connection  (rounds: ${each})\n`);
  }
  const memRatio = memory.ours! / memory['node-http']!;
  process.stdout.write(`  target ours <= 0.5x node:http: ${memRatio.toFixed(2)}x ${mark(memRatio <= 0.5)}\n`);
  report.idleMemoryPerConnection = memory;
  if (engineOnly) return; // BENCH_ONLY=engine: the engine's scenarios alone (results are not saved)

  report.client = await runClientBench(ROUNDS, (t) => void process.stdout.write(t));
  report.app = await runAppBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t));
  process.stdout.write('\n');
  report.serve = await (await import('./serve-bench.js')).runServeBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t));
  process.stdout.write('\n');
  report.inspect = await (await import('./inspect-bench.js')).runInspectBench(ROUNDS, SECONDS, (t) => void process.stdout.write(t));

  mkdirSync(new URL('../../bench/results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../../bench/results/latest.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
}

await main();
