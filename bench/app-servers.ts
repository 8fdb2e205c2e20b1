// The "app" scenario's servers: one JSON route with a path parameter, the same in each framework.
// Usage: node dist/bench/app-servers.js ours|fastify|express [port]; prints `listening PORT`.
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { App } from '../src/index.js';
import { announce } from './servers/ready.js';

const KEEP_ALIVE_MS = 120_000;
const user = (id: string): { id: string; name: string } => ({ id, name: `user ${id}` });

/** The slice of Express 5 used here (the package ships no types and @types/express is not installed). */
interface ExpressApp {
  get(path: string, handler: (req: { params: Record<string, string> }, res: { json(body: unknown): void }) => void): void;
  listen(port: number, host: string, done: () => void): HttpServer;
}

async function start(kind: string, port: number): Promise<number> {
  switch (kind) {
    case 'ours': {
      // fastify and Express (node:http) set no request limit per connection; ours defaults to nginx's 1000
      const app = new App({ server: { keepAliveTimeout: KEEP_ALIVE_MS, maxRequestsPerConnection: Infinity } });
      app.get('/users/:id', (req) => user(req.params.id));
      return (await app.listen(port, '127.0.0.1')).port;
    }
    case 'fastify': {
      const app = Fastify({ logger: false, keepAliveTimeout: KEEP_ALIVE_MS });
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => user(req.params.id));
      await app.listen({ port, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    }
    case 'express': {
      const express = createRequire(import.meta.url)('express') as () => ExpressApp;
      const app = express();
      app.get('/users/:id', (req, res) => res.json(user(req.params.id!)));
      return new Promise((resolve) => {
        const server = app.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
        server.keepAliveTimeout = KEEP_ALIVE_MS;
      });
    }
    default:
      throw new Error(`unknown app server ${kind}`);
  }
}

announce(await start(process.argv[2] ?? 'ours', Number(process.argv[3] ?? 0)));
