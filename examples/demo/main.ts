// `npm start`: the demo site on 127.0.0.1:5000. PORT and HOST override the address; SESSION_STORE
// (e.g. redis://127.0.0.1:6379) picks the session store of the login example (memory by default).
import { SessionStoreError } from '../../src/index.js';
import { createDemoApp } from './demo.js';
import { loadExtras } from './extras.js';
import { runDemoWorkers, workersOption } from './workers.js';

const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? '127.0.0.1';
const workers = workersOption(process.argv.slice(2), process.env);
if (workers !== undefined) process.exit(await runDemoWorkers(workers, port, host, (line) => process.stdout.write(`${line}\n`)));
const extras = await loadExtras(process.env).catch((error: unknown) => {
  // a bad or unreachable SESSION_STORE is the user's setting: say which, in one line
  if (!(error instanceof SessionStoreError)) throw error;
  process.stderr.write(`demo: ${error.message}\n`);
  process.exit(1);
});
const app = createDemoApp(extras);
const { server, url } = await app.listen(port, host);
process.stdout.write(`wirehttp demo on ${url} (Ctrl-C to stop)${extras.note === undefined ? '' : `\n${extras.note}`}\n`);
const stop = (): void =>
  void server
    .close(2000)
    .then(() => extras.close?.())
    .then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
