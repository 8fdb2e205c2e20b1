// Our engine behind a real HAProxy (Debian haproxy) in HTTP mode with server-side keep-alive, config
// written here: requests, uploads, ranges, chunked responses, redirects, X-Forwarded-For and reuse.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { toolSkip } from '../support/tools.js';
import { freePort, PROXY_SOURCE, proxySuite, startProgram, stopProgram } from './proxies-support.js';

const skip = toolSkip('haproxy', 'apt-get install -y haproxy');

function config(port: number, backendPort: number): string {
  return `global
  maxconn 256
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
  option http-keep-alive
frontend www
  bind 127.0.0.1:${port}
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  default_backend wirehttp
backend wirehttp
  http-reuse always
  server engine 127.0.0.1:${backendPort} source ${PROXY_SOURCE}
`;
}

describe('our engine behind haproxy', { skip }, () => {
  proxySuite(async (backendPort, dir) => {
    const port = await freePort();
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config(port, backendPort));
    // -db: stay in the foreground, no daemon; -W not needed for one process
    const { child } = await startProgram('haproxy', ['-db', '-f', file], port);
    return { port, stop: () => stopProgram(child) };
  });
});
