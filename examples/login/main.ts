// The login example alone: `node dist/examples/login/main.js [port]` (default 5000, HOST overrides
// 127.0.0.1). Memory sessions; SESSION_SECRET keeps logins across restarts.
import { createSessions } from '../../src/index.js';
import { createLoginApp } from './login.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 5000);
const { server, url } = await createLoginApp({ session: createSessions() }).listen(port, process.env.HOST ?? '127.0.0.1');
process.stdout.write(`login example on ${url} (Ctrl-C to stop)\n`);
const stop = (): void => void server.close(2000).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
