// The Dockerfile builds and serves: podman builds it (registries are unreachable here, so BASE is a
// Debian made by debootstrap plus this machine's node and npm, cached as a podman image), runs it with
// a published loopback port, and the demo answers / and /login/ as a non-root user, healthcheck passing.
// Recipe and pitfalls: /work/shared/CONTAINERS.md (chroot isolation, runc, cgroupfs, lowered ulimits).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from '../../src/index.js';
import { hasCommand, toolSkip } from '../support/tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = 'localhost/wirehttp:test';
const RUN_ARGS = ['--runtime', 'runc', '--cgroup-manager=cgroupfs', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function must(cmd: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await run(cmd, args, timeoutMs);
  assert.equal(r.code, 0, `${cmd} ${args.slice(0, 3).join(' ')} failed:\n${(r.stderr || r.stdout).slice(-3000)}`);
  return r.stdout;
}

function skipReason(): string | false {
  for (const [tool, pkg] of [['podman', 'podman'], ['debootstrap', 'debootstrap'], ['runc', 'runc'], ['newuidmap', 'uidmap']] as const) {
    const reason = toolSkip(tool, `apt-get install -y ${pkg}`);
    if (reason !== false) return reason;
  }
  return false;
}

/** The host's Debian suite: the copied node binary needs the same C library. */
function suite(): string {
  const os = readFileSync('/etc/os-release', 'utf8');
  return /^VERSION_CODENAME=(\w+)/m.exec(os)?.[1] ?? 'bookworm';
}

/**
 * baseImage returns a local stand-in for node:22-slim: debootstrap's minimal Debian with this machine's
 * node and npm. Built once per suite and node version; podman keeps it between runs.
 */
async function baseImage(): Promise<string> {
  const name = `localhost/wirehttp-base:${suite()}-node${process.versions.node}`;
  if ((await run('podman', ['image', 'exists', name])).code === 0) return name;
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-rootfs-'));
  const rootfs = join(dir, 'rootfs');
  try {
    await must('debootstrap', ['--variant=minbase', suite(), rootfs, 'http://deb.debian.org/debian'], 600_000);
    const node = realpathSync(process.execPath);
    mkdirSync(join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
    cpSync(node, join(rootfs, 'usr/local/bin/node'));
    const npmCli = realpathSync((await must('sh', ['-c', 'command -v npm'])).trim());
    const npmDir = dirname(dirname(npmCli)); // …/node_modules/npm/bin/npm-cli.js -> …/node_modules/npm
    cpSync(npmDir, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    // Machines whose egress goes through a TLS-inspecting proxy trust its CA via NODE_EXTRA_CA_CERTS;
    // the base carries it too, or `npm ci` in the build fails with SELF_SIGNED_CERT_IN_CHAIN.
    const changes: string[] = [];
    const ca = process.env.NODE_EXTRA_CA_CERTS;
    if (ca !== undefined && ca !== '' && existsSync(ca)) {
      cpSync(ca, join(rootfs, 'usr/local/share/host-ca.crt'));
      changes.push('--change', 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt');
    }
    await must('sh', ['-c', 'r="$1"; n="$2"; shift 2; tar -C "$r" -c . | podman import "$@" - "$n"', 'sh', rootfs, name, ...changes], 300_000);
    return name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const s = netServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  s.close();
  await once(s, 'close');
  return port;
}

async function fetchText(url: string): Promise<{ status: number; body: string; cookie: string | undefined }> {
  const res = await request(url, { timeouts: { total: 3000 } });
  return { status: res.status, body: await res.text(), cookie: res.headers.get('set-cookie') };
}

test('container: the Dockerfile builds with podman and the image serves the demo', { skip: skipReason(), timeout: 900_000 }, async () => {
  assert.ok(hasCommand('podman'));
  const base = await baseImage();
  const previous = (await run('podman', ['image', 'inspect', '--format', '{{.Id}}', IMAGE])).stdout.trim();
  // --format docker keeps HEALTHCHECK (the OCI format has no field for it)
  await must('podman', ['build', '--isolation=chroot', '--format', 'docker', '--pull=never', '--build-arg', `BASE=${base}`, '-t', IMAGE, ROOT], 600_000);
  const built = (await must('podman', ['image', 'inspect', '--format', '{{.Id}}', IMAGE])).trim();
  if (previous !== '' && previous !== built) await run('podman', ['rmi', previous]); // the last run's image, now untagged

  const inspected = JSON.parse(await must('podman', ['image', 'inspect', IMAGE])) as Array<{ Healthcheck?: { Test?: string[] }; Config: { User?: string; ExposedPorts?: Record<string, unknown>; Env?: string[]; Cmd?: string[] } }>;
  const c = inspected[0]!.Config;
  assert.equal(c.User, 'wirehttp');
  assert.ok(c.ExposedPorts?.['5000/tcp'] !== undefined, 'EXPOSE 5000');
  assert.ok(c.Env?.includes('HOST=0.0.0.0'));
  assert.deepEqual(c.Cmd, ['node', 'bin/wirehttp.js', 'demo']);
  assert.equal(inspected[0]!.Healthcheck?.Test?.[0], 'CMD', 'HEALTHCHECK kept');

  const port = await freePort();
  const name = `wirehttp-test-${process.pid}`;
  await must('podman', ['run', '-d', '--rm', ...RUN_ARGS, '-p', `127.0.0.1:${port}:5000`, '--name', name, IMAGE]);
  try {
    const base = `http://127.0.0.1:${port}`;
    let index: { status: number; body: string } | undefined;
    for (let i = 0; i < 100 && index === undefined; i++) {
      index = await fetchText(`${base}/`).catch(() => undefined);
      if (index === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(index !== undefined, `no answer on ${base}/: ${(await run('podman', ['logs', name])).stderr.slice(-2000)}`);
    assert.equal(index.status, 200);
    assert.match(index.body, /<h1>wirehttp demo<\/h1>/);
    assert.match(index.body, /href="\/login"/);
    const login = await fetchText(`${base}/login/`);
    assert.equal(login.status, 200, 'templates found from dist/');
    assert.match(login.cookie ?? '', /^session=.*HttpOnly; SameSite=Lax$/);
    assert.match((await fetchText(`${base}/lab/get?test=%3Cx%3E`)).body, /&lt;x&gt;/);
    assert.equal((await must('podman', ['exec', name, 'id', '-u'])).trim() !== '0', true, 'not root');
    assert.equal((await run('podman', ['healthcheck', 'run', name])).code, 0, 'HEALTHCHECK passes');
    assert.match((await must('podman', ['logs', name])), /wirehttp demo on http:\/\/0\.0\.0\.0:5000\//);
  } finally {
    await run('podman', ['stop', '-t', '2', name]);
  }
});
