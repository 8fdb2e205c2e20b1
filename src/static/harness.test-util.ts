import { createServer } from '../server/index.js';
import type { Handler } from '../server/types.js';

/** Running is a server bound on 127.0.0.1 and a way to stop it. */
export interface Running {
  readonly port: number;
  readonly engine: 'wirehttp';
  close(): Promise<void>;
}

/** startServer runs `handler` on our engine on a free loopback port. */
export async function startServer(handler: Handler): Promise<Running> {
  const server = createServer(handler);
  const addr = await server.listen(0, '127.0.0.1');
  return { port: addr.port, engine: 'wirehttp', close: () => server.close(100) };
}
