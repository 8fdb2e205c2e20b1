import { Agent, request, type HeadersInit } from '../client/index.js';
import { createServer } from '../server/index.js';
import type { App } from './app.js';

/** Reply is a whole response, read to the end. */
export interface Reply {
  readonly status: number;
  header(name: string): string | undefined;
  headers(name: string): string[];
  readonly body: string;
}

/** Served is an app running on 127.0.0.1:0 and a client bound to it. */
export interface Served {
  readonly base: string;
  readonly port: number;
  fetch(path: string, init?: { method?: string; headers?: HeadersInit; body?: string | Uint8Array }): Promise<Reply>;
  close(): Promise<void>;
}

/** serve runs `app` on our engine on a free loopback port, with a private keep-alive client. */
export async function serve(app: App): Promise<Served> {
  const server = createServer(app.handler);
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new Agent();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    async fetch(path, init = {}) {
      const res = await request(`${base}${path}`, { agent, method: init.method, headers: init.headers, body: init.body, timeouts: { total: 5000 } });
      const body = await res.text();
      return { status: res.status, header: (n) => res.headers.get(n), headers: (n) => res.headers.getAll(n), body };
    },
    async close() {
      agent.close();
      await server.close(100);
    },
  };
}

/** multipartBody builds real multipart/form-data bytes (RFC 7578) for tests. */
export function multipartBody(parts: Array<{ name: string; value: string | Buffer; filename?: string; type?: string }>, boundary = 'XyZzY-boundary-42'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
