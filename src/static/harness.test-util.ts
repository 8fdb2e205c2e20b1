import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderList } from '../wire/headers.js';
import type { Handler, HeaderValue, Request, Response } from '../server/types.js';

/** Running is a server bound on 127.0.0.1 and a way to stop it. `engine` names which one ran. */
export interface Running {
  readonly port: number;
  readonly engine: 'wirehttp' | 'node-adapter';
  close(): Promise<void>;
}

/**
 * startServer runs `handler` on our engine (server/) when it loads, else on node:http through a thin
 * adapter to the Handler contract: the static tests then run while wire/ is still being finished,
 * and switch to the real engine by themselves once it is.
 */
export async function startServer(handler: Handler): Promise<Running> {
  try {
    const mod = await import('../server/index.js');
    const server = mod.createServer(handler);
    const addr = await server.listen(0, '127.0.0.1');
    return { port: addr.port, engine: 'wirehttp', close: () => server.close(100) };
  } catch {
    return startAdapter(handler);
  }
}

async function startAdapter(handler: Handler): Promise<Running> {
  const server = http.createServer((nreq, nres) => {
    const req = adaptRequest(nreq);
    const res = adaptResponse(nres, req);
    Promise.resolve(handler(req, res)).catch(() => {
      if (!nres.headersSent) nres.writeHead(500).end();
      else nres.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    engine: 'node-adapter',
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function adaptRequest(n: http.IncomingMessage): Request {
  const target = n.url ?? '/';
  const q = target.indexOf('?');
  const headers = new HeaderList(n.rawHeaders);
  const bytes = async (): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const c of n) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };
  return {
    method: n.method ?? 'GET', target, path: q === -1 ? target : target.slice(0, q), query: q === -1 ? '' : target.slice(q + 1),
    httpVersion: n.httpVersion === '1.0' ? '1.0' : '1.1', headers, head: {} as Request['head'],
    remoteAddress: n.socket.remoteAddress ?? '', remotePort: n.socket.remotePort ?? 0,
    localAddress: n.socket.localAddress ?? '', localPort: n.socket.localPort ?? 0, secure: false,
    connectionId: 0, sequence: 1, hasBody: true, body: n, bytes,
    text: async () => (await bytes()).toString('utf8'), json: async <T>() => JSON.parse((await bytes()).toString('utf8')) as T,
  };
}

function adaptResponse(n: http.ServerResponse, request: Request): Response {
  const fields: string[] = [];
  const flush = (): void => {
    if (n.headersSent) return;
    const grouped = new Map<string, string[]>();
    for (let i = 0; i < fields.length; i += 2) {
      const list = grouped.get(fields[i]!) ?? [];
      list.push(fields[i + 1]!);
      grouped.set(fields[i]!, list);
    }
    for (const [k, v] of grouped) n.setHeader(k, v.length === 1 ? v[0]! : v);
    n.statusCode = res.statusCode;
  };
  const res: Response = {
    statusCode: 200, statusMessage: undefined, request,
    get headersSent() { return n.headersSent; },
    get finished() { return n.writableEnded; },
    status(code) { res.statusCode = code; return res; },
    setHeader(name, value) { res.removeHeader(name); return res.appendHeader(name, value); },
    appendHeader(name, value: HeaderValue) {
      for (const v of typeof value === 'object' ? value : [String(value)]) fields.push(name, v);
      return res;
    },
    getHeader(name) {
      for (let i = 0; i < fields.length; i += 2) if (fields[i]!.toLowerCase() === name.toLowerCase()) return fields[i + 1];
      return undefined;
    },
    hasHeader: (name) => res.getHeader(name) !== undefined,
    removeHeader(name) {
      for (let i = fields.length - 2; i >= 0; i -= 2) if (fields[i]!.toLowerCase() === name.toLowerCase()) fields.splice(i, 2);
      return res;
    },
    headerList: () => fields,
    writeHead(status) { if (status !== undefined) res.statusCode = status; flush(); n.flushHeaders(); return res; },
    write(chunk) { flush(); return n.write(chunk); },
    drain: () => (n.writableNeedDrain ? once(n, 'drain').then(() => undefined) : Promise.resolve()),
    end(chunk) { flush(); if (chunk !== undefined && !n.hasHeader('content-length')) n.setHeader('Content-Length', Buffer.byteLength(chunk)); n.end(chunk); },
    async send(source) { for await (const c of source as AsyncIterable<Uint8Array>) if (!res.write(c)) await res.drain(); res.end(); },
    closeAfter() { n.shouldKeepAlive = false; return res; },
  };
  return res;
}
