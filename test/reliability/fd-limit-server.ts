// Child process for the fd-exhaustion case: our engine under a low `ulimit -n`, reporting accept
// errors on stderr (the way a CLI would log them) and its port on stdout.
import { createServer } from '../../src/index.js';

const server = createServer((_req, res) => res.end('ok'), { keepAliveTimeout: 60_000 });
server.onError((error) => process.stderr.write(`server error: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`));
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () => process.exit(0));
