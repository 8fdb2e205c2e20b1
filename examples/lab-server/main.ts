// Runs the lab server: `node dist/examples/lab-server/main.js [port]` (default 12000).
import { startLabServer } from './lab-server.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 12000);
const { server, port: bound } = await startLabServer(port, process.env.HOST ?? '127.0.0.1');
process.stdout.write(`lab server on http://127.0.0.1:${bound}/ (Ctrl-C to stop)\n`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
