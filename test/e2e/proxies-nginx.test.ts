// Our engine behind a real nginx (Debian nginx-light) with upstream keep-alive, config written here:
// requests, uploads, ranges, chunked responses, redirects, X-Forwarded-For and connection reuse.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { hasCommand, toolSkip } from '../support/tools.js';
import { freePort, PROXY_SOURCE, proxySuite, startProgram, stopProgram } from './proxies-support.js';

const NGINX = hasCommand('nginx') ? 'nginx' : '/usr/sbin/nginx';
const skip = toolSkip(NGINX, 'apt-get install -y nginx-light');

function config(dir: string, port: number, backendPort: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
error_log stderr;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream wirehttp {
    server 127.0.0.1:${backendPort};
    keepalive 4;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 16m;
    location / {
      proxy_pass http://wirehttp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_bind ${PROXY_SOURCE};
    }
  }
}
`;
}

describe('our engine behind nginx', { skip }, () => {
  proxySuite(async (backendPort, dir) => {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port, backendPort));
    const { child } = await startProgram(NGINX, ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], port);
    return { port, stop: () => stopProgram(child) };
  });
});
