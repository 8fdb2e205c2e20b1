// Client scenario of `npm run bench`: our client against undici (`undici.request` with an Agent)
// and node's global fetch, all calling our engine's hello world (bench/servers/ours). The server is
// pinned to core 0 and each client run is a fresh process pinned to core 1; rounds are interleaved
// and medians reported. Target: ours >= 1.0x undici.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SHAPES, type ClientImpl, type ClientScenario } from './client-worker.js';
import { startServer } from './servers.js';
import { median, turnOrder } from './rounds.js';

const IMPLS: ClientImpl[] = ['ours', 'undici', 'fetch'];
const TITLES: Record<ClientScenario, string> = {
  sequential: `client: ${SHAPES.sequential.requests.toLocaleString('en')} sequential GETs over one keep-alive connection`,
  concurrent: `client: ${SHAPES.concurrent.requests.toLocaleString('en')} GETs, ${SHAPES.concurrent.inFlight} in flight`,
};

function runWorker(impl: ClientImpl, scenario: ClientScenario, port: number): number {
  const script = fileURLToPath(new URL('./client-worker.js', import.meta.url));
  const r = spawnSync('taskset', ['-c', '1', process.execPath, script, impl, scenario, String(port)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`client bench ${impl}/${scenario} failed (${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { rps: number }).rps;
}

/** runClientBench measures every scenario and prints req/s and the ratio ours/undici. */
export async function runClientBench(rounds: number, write: (text: string) => void): Promise<Record<string, Record<ClientImpl, number>>> {
  const report: Record<string, Record<ClientImpl, number>> = {};
  const server = await startServer('ours');
  try {
    for (const scenario of Object.keys(SHAPES) as ClientScenario[]) {
      const samples = new Map<ClientImpl, number[]>(IMPLS.map((i) => [i, []]));
      for (let round = 0; round < rounds; round++) {
        for (const impl of turnOrder(IMPLS, round)) samples.get(impl)!.push(runWorker(impl, scenario, server.port));
      }
      const rps = Object.fromEntries(IMPLS.map((i) => [i, median(samples.get(i)!)])) as Record<ClientImpl, number>;
      write(`${TITLES[scenario]}\n`);
      for (const impl of IMPLS) {
        const all = samples.get(impl)!.map((v) => v.toFixed(0)).join(', ');
        write(`  ${impl.padEnd(14)} ${rps[impl].toFixed(0).padStart(9)} req/s  ${(rps[impl] / rps.undici).toFixed(2)}x undici  (rounds: ${all})\n`);
      }
      const ratio = rps.ours / rps.undici;
      write(`  target ours >= 1.0x undici: ${ratio.toFixed(2)}x ${ratio >= 1 ? 'PASS' : 'FAIL'}\n\n`);
      report[TITLES[scenario]] = rps;
    }
  } finally {
    await server.stop();
  }
  return report;
}
