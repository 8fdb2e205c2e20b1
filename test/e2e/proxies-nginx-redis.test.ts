// Two instances of the demo site behind a real nginx (round-robin, upstream keep-alive) share logins
// through sessions on a real redis-server: log in through the proxy, every later page is logged in
// whichever instance answers, and logging out on one ends the session on both.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { request } from '../../src/client/index.js';
import type { Server } from '../../src/server/index.js';
import { createDemoApp } from '../../examples/demo/demo.js';
import { loadExtras, type Extras } from '../../examples/demo/extras.js';
import { hasCommand, toolSkip } from '../support/tools.js';
import { freePort, startProgram, stopProgram } from './proxies-support.js';

const NGINX = hasCommand('nginx') ? 'nginx' : '/usr/sbin/nginx';
const skip = toolSkip(NGINX, 'apt-get install -y nginx-light') || toolSkip('redis-server', 'apt-get install -y redis-server');

function config(dir: string, port: number, upstreams: number[]): string {
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
  upstream demo {
    ${upstreams.map((p) => `server 127.0.0.1:${p};`).join('\n    ')}
    keepalive 4;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/** Cookies is the smallest cookie jar the flow needs: name=value pairs from Set-Cookie, sent back. */
class Cookies {
  private readonly values = new Map<string, string>();
  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(setCookie: string[]): void {
    for (const line of setCookie) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.values.delete(name);
      else this.values.set(name, value);
    }
  }
}

describe('demo site x2 behind nginx with Redis sessions', { skip }, () => {
  test('a login made through the proxy holds on both instances; logout on one ends it on both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirehttp-nginx-redis-'));
    mkdirSync(join(dir, 'tmp'));
    let redis: ChildProcess | undefined;
    let nginx: ChildProcess | undefined;
    const instances: Array<{ server: Server; extras: Extras }> = [];
    try {
      const redisPort = await freePort();
      redis = (await startProgram('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], redisPort)).child;
      const env = { SESSION_STORE: `redis://127.0.0.1:${redisPort}`, SESSION_SECRET: 'shared-between-instances' };
      for (let i = 0; i < 2; i++) {
        const extras = await loadExtras(env);
        const { server } = await createDemoApp(extras).listen(0, '127.0.0.1');
        instances.push({ server, extras });
      }
      const ports = instances.map((i) => i.server.address()!.port);
      const port = await freePort();
      writeFileSync(join(dir, 'nginx.conf'), config(dir, port, ports));
      nginx = (await startProgram(NGINX, ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], port)).child;
      const base = `http://127.0.0.1:${port}`;
      const jar = new Cookies();
      const upstreams = new Set<string>();
      const get = async (path: string): Promise<{ status: number; body: string; location: string | undefined }> => {
        const res = await request(`${base}${path}`, { headers: { Cookie: jar.header() } });
        jar.take(res.headers.getAll('set-cookie'));
        upstreams.add(res.headers.get('x-upstream') ?? '');
        return { status: res.status, body: await res.text(), location: res.headers.get('location') };
      };
      const post = async (path: string, form: Record<string, string>): Promise<{ status: number; location: string | undefined }> => {
        const res = await request(`${base}${path}`, {
          method: 'POST',
          headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        });
        jar.take(res.headers.getAll('set-cookie'));
        upstreams.add(res.headers.get('x-upstream') ?? '');
        await res.bytes();
        return { status: res.status, location: res.headers.get('location') };
      };

      const form = await get('/login/');
      assert.equal(form.status, 200);
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.body)?.[1];
      assert.ok(csrf !== undefined, 'login form carries a CSRF token');
      const login = await post('/login/', { user: 'student', password: 'networking', csrf_token: csrf });
      assert.equal(login.status, 303);
      for (let i = 0; i < 6; i++) {
        const page = await get('/login/account');
        assert.equal(page.status, 200, `request ${i} was not logged in`);
        assert.match(page.body, /student/);
      }
      assert.deepEqual([...upstreams].sort(), ports.map((p) => `127.0.0.1:${p}`).sort(), 'both instances served the logged-in pages');

      const account = await get('/login/account');
      const token = /name="csrf_token" value="([^"]+)"/.exec(account.body)?.[1] ?? '';
      assert.equal((await post('/login/logout', { csrf_token: token })).status, 303);
      for (let i = 0; i < 4; i++) {
        const after = await get('/login/account');
        assert.equal(after.status, 303, 'logged out everywhere');
      }
    } finally {
      await stopProgram(nginx);
      for (const i of instances) {
        await i.server.close(100);
        await i.extras.close?.();
      }
      await stopProgram(redis);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
