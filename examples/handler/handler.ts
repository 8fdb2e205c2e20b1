import { createServer, HttpError, type Handler, type Request, type Server } from '../../src/index.js';

/**
 * The python `http.server` lab on the raw engine API, method by method as BaseHTTPRequestHandler
 * dispatches `do_GET`/`do_POST`: GET answers with the request path and the header lines as received;
 * POST echoes the body back with its Content-Type. Any other method gets 501, as http.server does.
 */
export function createHandlerExample(options: { maxBodyBytes?: number } = {}): Handler {
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const methods: Record<string, Handler> = {
    GET: (req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(describe(req));
    },
    HEAD: (req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(describe(req)));
      res.end();
    },
    POST: async (req, res) => {
      const body = await req.bytes(limit); // 413 past the limit
      res.setHeader('Content-Type', req.headers.get('content-type') ?? 'application/octet-stream');
      res.setHeader('X-Content-Type-Options', 'nosniff'); // an echo must never be sniffed into HTML
      res.end(body);
    },
  };
  return (req, res) => {
    const handle = methods[req.method];
    if (handle === undefined) throw new HttpError(501, `Unsupported method (${req.method})`, { headers: { Allow: 'GET, HEAD, POST' } });
    return handle(req, res);
  };
}

/** describe is do_GET's page: the path as sent, then each header line in received order and case. */
function describe(req: Request): string {
  let out = `path: ${req.target}\nheaders:\n`;
  const raw = req.headers.raw;
  for (let i = 0; i < raw.length; i += 2) out += `  ${raw[i]}: ${raw[i + 1]}\n`;
  return out;
}

/** startHandlerExample listens like `python3 -m http.server`'s lab (port 8000). */
export async function startHandlerExample(port = 8000, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer(createHandlerExample());
  const address = await server.listen(port, host);
  return { server, port: address.port };
}
