// `npm start`: the demo site on 127.0.0.1:5000 (PORT and HOST override).
// Until the app framework's demo lands this serves the lab server example.
import { startLabServer } from '../lab-server/lab-server.js';

const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? '127.0.0.1';
const { server, port: bound } = await startLabServer(port, host);
process.stdout.write(`wirehttp demo on http://${host}:${bound}/ (Ctrl-C to stop)\n`);
const stop = (): void => void server.close(2000).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
