import { readFileSync } from 'node:fs';
import { createServer, HttpError, type Handler, type Server } from '../../src/index.js';

/**
 * The networking-course web server assignment, on the wirehttp engine:
 * HEAD / -> 200 with Content-Type, Content-Length and Date but no body; GET / -> index.html;
 * anything else -> 404 with a 404 page; a method the lab does not know -> 400; a handler
 * exception -> 500 (the engine turns throws into 500s without leaking details). Two routes fail on
 * purpose for the lab: /error throws (500), /busy answers 503 Service Unavailable with
 * `Retry-After: 30` (RFC 9110 §15.6.4, §10.2.3), as an overloaded server or one down for maintenance would.
 */
const PUBLIC = new URL('../../../examples/lab-server/public/', import.meta.url);
/** What /busy puts in Retry-After: come back in 30 seconds. */
const BUSY_RETRY_SECONDS = 30;

export function createLabHandler(): Handler {
  const index = readFileSync(new URL('index.html', PUBLIC));
  const notFound = readFileSync(new URL('404.html', PUBLIC));
  const busy = readFileSync(new URL('503.html', PUBLIC));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(400, `The lab server does not know the method ${req.method}`);
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.path === '/' || req.path === '/index.html') {
      res.end(index);
    } else if (req.path === '/error') {
      throw new Error('a deliberate failure to show the 500 page');
    } else if (req.path === '/busy') {
      res.status(503).setHeader('Retry-After', String(BUSY_RETRY_SECONDS)).end(busy);
    } else {
      res.status(404).end(notFound);
    }
  };
}

/** startLabServer listens on `port` (12000 as in the assignment) and resolves with the server. */
export async function startLabServer(port = 12000, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer(createLabHandler());
  const address = await server.listen(port, host);
  return { server, port: address.port };
}
