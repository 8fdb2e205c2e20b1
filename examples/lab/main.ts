// The lab app alone: `node dist/examples/lab/main.js [port]` (default 5000, HOST overrides 127.0.0.1).
import { createLabApp } from './lab.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 5000);
const { server, url } = await createLabApp().listen(port, process.env.HOST ?? '127.0.0.1');
process.stdout.write(`lab app on ${url} (Ctrl-C to stop)\n`);
const stop = (): void => void server.close(2000).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
