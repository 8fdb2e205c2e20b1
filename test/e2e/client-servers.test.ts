// One suite, many implementations (STYLE §3): the same exchange table runs our client against our
// server (src/server) and against node:http, both serving the same small app written once below.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createNodeServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Agent, ClientError, CookieJar, request } from '../../src/client/index.js';
import { createServer, type Request as OurRequest, type Response as OurResponse } from '../../src/server/index.js';

/** AppRequest is what the shared app sees, whichever server parsed it. */
interface AppRequest {
  method: string;
  path: string;
  header(name: string): string | undefined;
  body: Buffer;
  /** Connection identity, for counting sequential requests on one connection. */
  connection: number;
}

/** Reply is the shared app's answer; each implementation writes it with its own API. */
interface Reply {
  status?: number;
  headers?: Array<[string, string]>;
  /** Sent in one piece (Content-Length). */
  body?: Buffer | string;
  /** Written one by one (chunked transfer coding on HTTP/1.1). */
  chunks?: string[];
  /** Ask the server to close after this response. */
  close?: boolean;
  delayMs?: number;
}

const DATA = Buffer.alloc(100_000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 13 + (i >> 9)) & 0xff;
const TEXT = 'compressible '.repeat(200);
const GZ = gzipSync(TEXT);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** app is the one application both servers run. */
function app(req: AppRequest): Reply {
  const redirect = /^\/r(30[12378])$/.exec(req.path);
  if (redirect !== null) return { status: Number(redirect[1]), headers: [['Location', '/echo']] };
  switch (req.path) {
    case '/hello':
      return { body: 'hello', headers: [['Content-Type', 'text/plain']] };
    case '/echo':
      return { body: JSON.stringify({ method: req.method, body: req.body.toString('latin1'), cookie: req.header('cookie') ?? '', te: req.header('transfer-encoding') ?? '' }) };
    case '/conn':
      return { body: String(req.connection) };
    case '/chunks':
      return { chunks: ['alpha ', 'beta ', 'gamma'] };
    case '/close':
      return { body: 'bye', close: true };
    case '/empty':
      return { status: 204 };
    case '/sha':
      return { body: sha(req.body) };
    case '/gzip':
      return { body: GZ, headers: [['Content-Encoding', 'gzip']] };
    case '/missing':
      return { status: 404, body: 'nope' };
    case '/login':
      return { status: 302, headers: [['Set-Cookie', 'sid=abc; Path=/'], ['Set-Cookie', 'gone=1; Max-Age=0'], ['Location', '/echo']] };
    case '/slow':
      return { body: req.header('x-n') ?? '', delayMs: 20 };
    case '/data': {
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.header('range') ?? '');
      if (m === null) return { body: DATA };
      const from = Number(m[1]);
      const to = m[2] === '' ? DATA.length - 1 : Math.min(Number(m[2]), DATA.length - 1);
      return { status: 206, headers: [['Content-Range', `bytes ${from}-${to}/${DATA.length}`]], body: DATA.subarray(from, to + 1) };
    }
    default:
      return { status: 404, body: 'no route' };
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Implementation starts the shared app on 127.0.0.1:0 and counts accepted connections. */
interface Implementation {
  name: string;
  start(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }>;
}

const ours: Implementation = {
  name: 'our server',
  async start() {
    let opened = 0;
    const server = createServer(async (req: OurRequest, res: OurResponse) => {
      const reply = app({ method: req.method, path: req.path, header: (n) => req.headers.get(n), body: await req.bytes(), connection: req.connectionId });
      if (reply.delayMs !== undefined) await delay(reply.delayMs);
      res.status(reply.status ?? 200);
      for (const [name, value] of reply.headers ?? []) res.appendHeader(name, value);
      if (reply.close === true) res.closeAfter();
      if (reply.chunks !== undefined) {
        for (const c of reply.chunks) res.write(c);
        res.end();
      } else res.end(reply.body);
    }, { keepAliveTimeout: 5000 });
    server.observe({ open: () => void opened++ });
    const { port } = await server.listen(0, '127.0.0.1');
    return { url: `http://127.0.0.1:${port}`, connections: () => opened, close: () => Promise.race([server.close(100), delay(500)]) };
  },
};

const nodeHttp: Implementation = {
  name: 'node:http',
  async start() {
    let opened = 0;
    const ids = new WeakMap<Socket, number>();
    const server = createNodeServer({ keepAliveTimeout: 5000 }, (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const header = (n: string): string | undefined => {
          const v = req.headers[n.toLowerCase()];
          return Array.isArray(v) ? v.join(', ') : v;
        };
        const reply = app({ method: req.method ?? 'GET', path: url.pathname, header, body: Buffer.concat(chunks), connection: ids.get(req.socket) ?? -1 });
        if (reply.delayMs !== undefined) await delay(reply.delayMs);
        res.statusCode = reply.status ?? 200;
        for (const [name, value] of reply.headers ?? []) res.appendHeader(name, value);
        if (reply.close === true) res.setHeader('Connection', 'close');
        if (reply.chunks !== undefined) {
          for (const c of reply.chunks) res.write(c);
          res.end();
        } else res.end(reply.body);
      });
    });
    server.on('connection', (s: Socket) => ids.set(s, ++opened));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      connections: () => opened,
      close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    };
  },
};

interface Ctx {
  url: string;
  agent: Agent;
  connections: () => number;
}

/** The exchange table: each row runs unchanged against every implementation. */
const exchanges: Array<{ name: string; run: (ctx: Ctx) => Promise<void>; todo?: Record<string, string> }> = [
  {
    name: 'keep-alive: sequential requests share one connection',
    run: async ({ url, agent, connections }) => {
      const before = connections();
      const ids: string[] = [];
      const reused: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(`${url}/conn`, { agent });
        ids.push(await res.text());
        reused.push(res.connection.reused);
      }
      assert.equal(new Set(ids).size, 1, ids.join());
      assert.deepEqual(reused, [false, true, true, true, true]);
      assert.equal(connections() - before, 1);
    },
  },
  {
    name: 'GET: status, reason, headers, body',
    run: async ({ url, agent }) => {
      const res = await request(`${url}/hello`, { agent });
      assert.deepEqual([res.status, res.reason, res.httpVersion], [200, 'OK', '1.1']);
      assert.equal(res.headers.get('content-type'), 'text/plain');
      assert.equal(res.headers.get('content-length'), '5');
      assert.equal(await res.text(), 'hello');
    },
  },
  {
    name: 'chunked response is decoded',
    run: async ({ url, agent }) => {
      const res = await request(`${url}/chunks`, { agent });
      assert.equal(res.headers.get('transfer-encoding'), 'chunked');
      assert.equal(await res.text(), 'alpha beta gamma');
    },
  },
  {
    name: 'HEAD and 204 have no body and keep the connection',
    run: async ({ url, agent, connections }) => {
      const before = connections();
      const head = await request(`${url}/hello`, { agent, method: 'HEAD' });
      assert.equal(head.status, 200); // (node:http omits Content-Length on HEAD when end() gets the body; ours sends 5)
      assert.equal((await head.bytes()).length, 0);
      const empty = await request(`${url}/empty`, { agent });
      assert.equal(empty.status, 204);
      assert.equal((await empty.bytes()).length, 0);
      assert.equal(await (await request(`${url}/hello`, { agent })).text(), 'hello');
      assert.ok(connections() - before <= 1);
    },
  },
  {
    name: 'POST bodies: fixed length and a stream sent chunked',
    run: async ({ url, agent }) => {
      const a = JSON.parse(await (await request(`${url}/echo`, { agent, method: 'POST', body: 'a=1&b=2' })).text());
      assert.deepEqual([a.method, a.body, a.te], ['POST', 'a=1&b=2', '']);
      const stream = Readable.from([Buffer.from('ab'), Buffer.from('cde')]);
      const b = JSON.parse(await (await request(`${url}/echo`, { agent, method: 'PUT', body: stream })).text());
      assert.deepEqual([b.method, b.body, b.te], ['PUT', 'abcde', 'chunked']);
    },
  },
  {
    name: 'large upload with Expect: 100-continue arrives intact',
    run: async ({ url }) => {
      const agent = new Agent(); // its own: see the next row for what happens to the connection after
      try {
        const res = await request(`${url}/sha`, { agent, method: 'PUT', body: DATA, expectContinueAt: 1024 });
        assert.equal(res.informational[0]?.status, 100);
        assert.equal(await res.text(), sha(DATA));
      } finally {
        agent.close();
      }
    },
  },
  {
    name: 'keep-alive: the connection answers the next request after a 17,000-byte upload',
    run: async ({ url }) => {
      const agent = new Agent();
      try {
        const up = await request(`${url}/sha`, { agent, method: 'PUT', body: DATA.subarray(0, 17_000), timeouts: { total: 2000 } });
        assert.equal(await up.text(), sha(DATA.subarray(0, 17_000)));
        const next = await request(`${url}/hello`, { agent, timeouts: { total: 2000 } });
        assert.equal(next.connection.reused, true);
        assert.equal(await next.text(), 'hello');
      } finally {
        agent.close();
      }
    },
  },
  {
    name: 'redirects: 301/302/303 turn POST into GET, 307/308 keep it',
    run: async ({ url, agent }) => {
      const want: Record<string, [string, string]> = { '301': ['GET', ''], '302': ['GET', ''], '303': ['GET', ''], '307': ['POST', 'x=1'], '308': ['POST', 'x=1'] };
      for (const [status, expected] of Object.entries(want)) {
        const res = await request(`${url}/r${status}`, { agent, method: 'POST', body: 'x=1', followRedirects: true });
        const j = JSON.parse(await res.text());
        assert.deepEqual([j.method, j.body], expected, status);
        assert.deepEqual(res.redirects, [`${url}/r${status}`]);
      }
    },
  },
  {
    name: 'ranges: 206 with exact bytes; full body checksum',
    run: async ({ url, agent }) => {
      const part = await request(`${url}/data`, { agent, headers: { Range: 'bytes=1000-1999' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${DATA.length}`);
      assert.deepEqual(await part.bytes(), DATA.subarray(1000, 2000));
      const tail = await request(`${url}/data`, { agent, headers: { Range: 'bytes=99000-' } });
      assert.deepEqual(await tail.bytes(), DATA.subarray(99000));
      assert.equal(sha(await (await request(`${url}/data`, { agent })).bytes()), sha(DATA));
    },
  },
  {
    name: 'Connection: close from the server opens a new connection next time',
    run: async ({ url, agent, connections }) => {
      const before = connections();
      const res = await request(`${url}/close`, { agent });
      assert.equal(res.head.keepAlive, false);
      assert.equal(await res.text(), 'bye');
      const next = await request(`${url}/hello`, { agent });
      assert.equal(next.connection.reused, false);
      assert.equal(await next.text(), 'hello');
      assert.ok(connections() - before >= 1);
    },
  },
  {
    name: 'cookies: Set-Cookie on a redirect is sent to the target; Max-Age=0 is dropped',
    run: async ({ url, agent }) => {
      const jar = new CookieJar();
      const res = await request(`${url}/login`, { agent, cookieJar: jar, followRedirects: true });
      assert.equal(JSON.parse(await res.text()).cookie, 'sid=abc');
      assert.deepEqual(jar.all().map((c) => c.name), ['sid']);
    },
  },
  {
    name: 'decompress: gzip body decoded on request, raw otherwise',
    run: async ({ url, agent }) => {
      assert.equal(await (await request(`${url}/gzip`, { agent, decompress: true })).text(), TEXT);
      assert.deepEqual(await (await request(`${url}/gzip`, { agent })).bytes(), GZ);
    },
  },
  {
    name: 'pipelining: responses come back in request order on one connection',
    run: async ({ url, connections }) => {
      const agent = new Agent({ pipelining: 4, maxConnectionsPerOrigin: 1 });
      try {
        await (await request(`${url}/hello`, { agent })).text();
        const before = connections();
        const all = await Promise.all(['1', '2', '3'].map((n) => request(`${url}/slow`, { agent, headers: { 'X-N': n } })));
        assert.deepEqual(await Promise.all(all.map((r) => r.text())), ['1', '2', '3']);
        assert.equal(connections(), before);
      } finally {
        agent.close();
      }
    },
  },
  {
    name: '404 is a response, not an error',
    run: async ({ url, agent }) => {
      const res = await request(`${url}/missing`, { agent });
      assert.equal(res.status, 404);
      assert.equal(await res.text(), 'nope');
    },
  },
  {
    name: 'too many redirects rejects with EREDIRECT',
    run: async ({ url, agent }) => {
      await assert.rejects(request(`${url}/r302`, { agent, followRedirects: true, maxRedirects: 0 }), (e: unknown) => e instanceof ClientError && e.code === 'EREDIRECT');
    },
  },
];

for (const impl of [ours, nodeHttp]) {
  describe(`client against ${impl.name}`, () => {
    let server: Awaited<ReturnType<Implementation['start']>>;
    let agent: Agent;
    before(async () => {
      server = await impl.start();
      agent = new Agent();
    });
    after(async () => {
      agent.close();
      await server.close();
    });
    for (const ex of exchanges) {
      const todo = ex.todo?.[impl.name];
      test(ex.name, todo === undefined ? {} : { todo }, () => ex.run({ url: server.url, agent, connections: server.connections }));
    }
  });
}
