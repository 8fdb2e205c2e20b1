// One client benchmark run in its own process (pinned to core 1 by bench/client.ts):
//   node dist/bench/client-worker.js IMPL SCENARIO PORT  ->  prints {"rps":…,"ms":…,"requests":…}
// IMPL: ours | undici | fetch. SCENARIO: sequential (1,000 GETs, one keep-alive connection) or
// concurrent (10,000 GETs, 32 in flight). Every response body is read in full and checked.
import { performance } from 'node:perf_hooks';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { Agent, request } from '../src/client/index.js';

export type ClientImpl = 'ours' | 'undici' | 'fetch';
export type ClientScenario = 'sequential' | 'concurrent';

export const SHAPES: Record<ClientScenario, { requests: number; inFlight: number }> = {
  sequential: { requests: 1_000, inFlight: 1 },
  concurrent: { requests: 10_000, inFlight: 32 },
};

const EXPECTED = 'Hello World!';

/** getter returns one GET that resolves with the body text, plus a close for the pool. */
function getter(impl: ClientImpl, inFlight: number): { get: (url: string) => Promise<string>; close: () => Promise<void> } {
  if (impl === 'ours') {
    const agent = new Agent({ maxConnectionsPerOrigin: inFlight, idleTimeout: 60_000 });
    return { get: async (url) => (await request(url, { agent })).text(), close: async () => agent.close() };
  }
  if (impl === 'undici') {
    const dispatcher = new UndiciAgent({ connections: inFlight, keepAliveTimeout: 60_000 });
    return { get: async (url) => (await undiciRequest(url, { dispatcher })).body.text(), close: () => dispatcher.close() };
  }
  return { get: async (url) => (await fetch(url)).text(), close: async () => {} };
}

/** runLoad sends `requests` GETs keeping `inFlight` outstanding; resolves with elapsed ms. */
async function runLoad(get: (url: string) => Promise<string>, url: string, requests: number, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < requests) {
      next++;
      const body = await get(url);
      if (body !== EXPECTED) throw new Error(`unexpected body ${JSON.stringify(body)}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return performance.now() - started;
}

async function main(): Promise<void> {
  const [impl, scenario, port] = process.argv.slice(2) as [ClientImpl, ClientScenario, string];
  const shape = SHAPES[scenario];
  const url = `http://127.0.0.1:${port}/`;
  const client = getter(impl, shape.inFlight);
  await runLoad(client.get, url, Math.min(2_000, shape.requests), shape.inFlight); // warm-up (JIT, connections)
  const ms = await runLoad(client.get, url, shape.requests, shape.inFlight);
  await client.close();
  process.stdout.write(`${JSON.stringify({ rps: (shape.requests / ms) * 1000, ms, requests: shape.requests })}\n`);
}

if (process.argv[1]?.endsWith('client-worker.js') === true) await main();
