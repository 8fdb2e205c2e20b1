// The http.server lab on the engine: `node dist/examples/handler/main.js [port]` (default 8000).
import { startHandlerExample } from './handler.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 8000);
const { server, port: bound } = await startHandlerExample(port, process.env.HOST ?? '127.0.0.1');
process.stdout.write(`handler example on http://127.0.0.1:${bound}/ (Ctrl-C to stop)\n`);
const stop = (): void => void server.close(2000).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
