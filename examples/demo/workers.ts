// `npm start -- --workers N|auto` (or WORKERS=N): the demo site on node:cluster. Each worker builds its
// own app; logins are shared between workers only with a shared session store (SESSION_STORE=redis://…).
import { runClustered, type ClusterOptions } from '../../src/server/index.js';
import { createDemoApp } from './demo.js';
import { loadExtras } from './extras.js';

/** workersOption reads `--workers N|auto` from argv, else WORKERS; undefined means one process. */
export function workersOption(argv: readonly string[], env: NodeJS.ProcessEnv): number | 'auto' | undefined {
  const i = argv.indexOf('--workers');
  const text = i === -1 ? env.WORKERS : argv[i + 1];
  if (text === undefined || text === '') return undefined;
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--workers wants a positive number or auto, got '${text}'`);
  return n;
}

/** runDemoWorkers serves the demo from `workers` processes until SIGTERM/SIGINT; resolves with the exit code. */
export function runDemoWorkers(workers: number | 'auto', port: number, host: string, log: ClusterOptions['log']): Promise<number> {
  return runClustered({
    workers,
    graceMs: 2000,
    log,
    onReady: (bound) => log?.(`wirehttp demo on http://${host}:${bound ?? port}/ (Ctrl-C to stop; SIGHUP reloads the workers)`),
    start: async () => {
      const extras = await loadExtras(process.env);
      const { server } = await createDemoApp(extras).listen(port, host);
      return {
        address: () => server.address(),
        close: async (graceMs) => {
          await server.close(graceMs);
          await extras.close?.();
        },
      };
    },
  });
}
