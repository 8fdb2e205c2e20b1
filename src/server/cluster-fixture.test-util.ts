// A clustered server for cluster.test.ts, run as its own process (signals go to it, not the test runner).
// GET / answers with the worker's pid; GET /crash kills the worker; GET /slow answers after 300 ms.
// WORKERS, PORT and START_FAIL (a message) configure it; the primary prints `ready PORT` on stdout.
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterStartError, runClustered } from './cluster.js';
import { createServer } from './server.js';

try {
  process.exitCode = await runClustered({
    workers: process.env.WORKERS === 'auto' ? 'auto' : Number(process.env.WORKERS ?? 2),
    graceMs: 2000,
    restartDelay: { min: 50, max: 200 },
    log: (line) => process.stderr.write(`${line}\n`),
    onReady: (port) => process.stdout.write(`ready ${port}\n`),
    start: async () => {
      if (process.env.START_FAIL !== undefined) throw new Error(process.env.START_FAIL);
      const server = createServer(async (req, res) => {
        if (req.path === '/crash') process.exit(3);
        if (req.path === '/slow') await sleep(300);
        res.end(String(process.pid));
      });
      await server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
      return server;
    },
  });
} catch (error) {
  if (!(error instanceof ClusterStartError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
}
