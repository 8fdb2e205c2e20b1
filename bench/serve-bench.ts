// BENCH_ONLY=serve (issue 4): `wirehttp serve` against python's http.server, npm's http-server, nginx
// (one worker, access log off, config written here) and a node:http static baseline, serving the same
// 1 KiB file (req/s, 50 connections) and 100 MiB file (MB/s, one download at a time) in one run.
// Servers run on core 0, wrk on core 1; rounds are interleaved and medians reported. python's
// http.server speaks HTTP/1.0 and closes after every response, so it is measured one request per
// connection (and so is ours, on a separate line, for the like-for-like ratio).
// The python target compares ours with keep-alive, as a user switching tools would see it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './cpu.js';
import { ensureWrk, runWrk } from './wrk.js';
import { median, pairedRatio, turnOrder } from './rounds.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NGINX = '/usr/sbin/nginx';

interface Contender {
  name: string;
  /** wrk arguments besides duration and URL. */
  wrk: string[];
  available: boolean;
  start(dir: string, port: number, scratch: string): ChildProcess;
}

const KEEP_ALIVE = ['-c50'];
const PER_REQUEST = ['-c50', '-H', 'Connection: close'];

function pinned(command: string, args: string[], quietStderr = false): ChildProcess {
  return spawn('taskset', ['-c', '0', command, ...args], { stdio: ['ignore', 'ignore', quietStderr ? 'ignore' : 'inherit'] });
}

const CONTENDERS: Contender[] = [
  { name: 'ours', wrk: KEEP_ALIVE, available: true, start: (dir, port) => pinned(process.execPath, [join(ROOT, 'bin/wirehttp.js'), 'serve', String(port), '-d', dir, '-q']) },
  { name: 'nginx', wrk: KEEP_ALIVE, available: spawnSync('test', ['-x', NGINX]).status === 0, start: (dir, port, scratch) => startNginx(dir, port, scratch) },
  {
    name: 'http-server', wrk: KEEP_ALIVE, available: true,
    // quiet stderr: it prints a node deprecation warning (OutgoingMessage._headers) at start
    start: (dir, port) => pinned(process.execPath, [join(ROOT, 'node_modules/http-server/bin/http-server'), dir, '-p', String(port), '-a', '127.0.0.1', '-s', '-c-1'], true),
  },
  { name: 'node:http', wrk: KEEP_ALIVE, available: true, start: (dir, port) => pinned(process.execPath, [join(ROOT, 'dist/bench/serve-node-static.js'), dir, String(port)]) },
  { name: 'ours 1/conn', wrk: PER_REQUEST, available: true, start: (dir, port) => pinned(process.execPath, [join(ROOT, 'bin/wirehttp.js'), 'serve', String(port), '-d', dir, '-q']) },
  {
    name: 'python 1/conn', wrk: PER_REQUEST, available: spawnSync('python3', ['--version']).status === 0,
    // its access log (one stderr line per request, as python prints it) is part of its cost; only hidden here
    start: (dir, port) => pinned('python3', ['-m', 'http.server', String(port), '-b', '127.0.0.1', '-d', dir], true),
  },
];

/** The two measures: req/s on a small page, MB/s downloading a large file. */
const FILES = [
  { name: '1 KiB file', path: '/1k.html', bytes: 1024, connections: 50 },
  { name: '100 MiB file', path: '/100m.bin', bytes: 100 * 1024 * 1024, connections: 1 },
];
const LARGE = 65536;

/** startNginx writes a one-worker config with the access log off and sendfile on, and runs it in the foreground. */
function startNginx(dir: string, port: number, scratch: string): ChildProcess {
  const conf = join(scratch, `nginx-${port}.conf`);
  writeFileSync(conf, `worker_processes 1;
daemon off;
pid ${scratch}/nginx-${port}.pid;
error_log ${scratch}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${scratch}/body; proxy_temp_path ${scratch}/proxy; fastcgi_temp_path ${scratch}/fastcgi;
  uwsgi_temp_path ${scratch}/uwsgi; scgi_temp_path ${scratch}/scgi;
  server { listen 127.0.0.1:${port}; root ${dir}; }
}
`);
  return pinned(NGINX, ['-p', scratch, '-c', conf]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** ready polls until the port accepts a connection (python's stdout is block-buffered when piped, so no banner). */
async function ready(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServeBenchRow {
  rps: number;
  mbps: number;
  p99Ms: number | undefined;
  cpuUs: number;
  errors: number;
}

/** runServeBench measures every available contender on both files and prints medians, ratios and targets. */
export async function runServeBench(rounds: number, seconds: number, write: (text: string) => void): Promise<Record<string, Record<string, ServeBenchRow>>> {
  ensureWrk();
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-bench-'));
  const scratch = mkdtempSync(join(tmpdir(), 'wirehttp-serve-bench-scratch-'));
  chmodSync(dir, 0o755); // nginx's worker runs as nobody
  writeFileSync(join(dir, '1k.html'), `<!doctype html>${'x'.repeat(1024 - 15)}`);
  writeFileSync(join(dir, '100m.bin'), Buffer.alloc(100 * 1024 * 1024, 7));
  // dated an hour back, as a deployed site's files are: a file written in the last two seconds is
  // read afresh on every request by `serve` (file-cache.ts, RACY_MS), which no user measures
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const name of ['1k.html', '100m.bin']) utimesSync(join(dir, name), anHourAgo, anHourAgo);
  const contenders = CONTENDERS.filter((c) => c.available);
  const skipped = CONTENDERS.filter((c) => !c.available).map((c) => c.name);
  write(`serve: static files, ${rounds} interleaved rounds of ${seconds}s; server on core 0, wrk on core 1\n`);
  if (skipped.length > 0) write(`  (not installed, skipped: ${skipped.join(', ')})\n`);
  write('  python\'s http.server answers HTTP/1.0 and closes each connection: it and "ours 1/conn" send Connection: close\n\n');
  const report: Record<string, Record<string, ServeBenchRow>> = {};
  try {
    for (const file of FILES) {
      const samples = new Map<string, Array<{ rps: number; mbps: number; p99: number | undefined; cpuUs: number; errors: number }>>();
      for (let round = 0; round < rounds; round++) {
        for (const c of turnOrder(contenders, round)) {
          const port = await freePort();
          const child = c.start(dir, port, scratch);
          try {
            await ready(port, child);
            const url = `http://127.0.0.1:${port}${file.path}`;
            const wrkArgs = [...c.wrk.filter((a) => !a.startsWith('-c')), `-c${file.connections}`];
            runWrk(url, wrkArgs, 1); // warm-up (JIT, caches)
            // nginx's work happens in its worker, a child of the master: count the whole tree's CPU
            const pids = processTree(child.pid!);
            const before = pids.reduce((a, p) => a + safeCpu(p), 0);
            const r = runWrk(url, wrkArgs, seconds);
            const cpu = pids.reduce((a, p) => a + safeCpu(p), 0) - before;
            const list = samples.get(c.name) ?? [];
            list.push({ rps: r.requestsPerSecond, mbps: r.bytesPerSecond / 1e6, p99: r.p99Ms, cpuUs: r.requestsPerSecond > 0 ? (cpu / (r.requestsPerSecond * seconds)) * 1e6 : 0, errors: r.errors });
            samples.set(c.name, list);
          } finally {
            await stop(child);
          }
        }
      }
      const rows: Record<string, ServeBenchRow> = {};
      write(`${file.name} (${file.path}, ${file.connections} connections)\n`);
      for (const [name, list] of samples) {
        const rps = median(list.map((s) => s.rps));
        const p99s = list.map((s) => s.p99).filter((v): v is number => v !== undefined);
        rows[name] = { rps, mbps: median(list.map((s) => s.mbps)), p99Ms: p99s.length > 0 ? median(p99s) : undefined, cpuUs: median(list.map((s) => s.cpuUs)), errors: list.reduce((a, s) => a + s.errors, 0) };
      }
      const ours = rows.ours!;
      for (const [name, row] of Object.entries(rows)) {
        const ratio = name === 'ours' ? '' : `  ours is ${(file.bytes > LARGE ? ours.mbps / row.mbps : ours.rps / row.rps).toFixed(2)}x`;
        const p99 = row.p99Ms === undefined ? '' : `  p99 ${row.p99Ms.toFixed(1)} ms`;
        const errors = row.errors > 0 ? `  (${row.errors} errors)` : '';
        const each = samples.get(name)!.map((s) => (file.bytes > LARGE ? s.mbps : s.rps).toFixed(0)).join(', ');
        write(`  ${name.padEnd(14)} ${row.rps.toFixed(0).padStart(8)} req/s ${row.mbps.toFixed(0).padStart(6)} MB/s ${row.cpuUs.toFixed(1).padStart(6)} µs CPU/req${p99}${ratio}${errors}  (rounds: ${each})\n`);
      }
      // Targets are judged on the median of the rounds' ratios (pairedRatio); the ratio of the medians is shown beside it.
      const measure = file.bytes > LARGE ? (s: { mbps: number }) => s.mbps : (s: { rps: number }) => s.rps;
      const target = (label: string, other: string, min: number): void => {
        if (samples.get(other) === undefined) return;
        const ratio = pairedRatio(samples.get('ours')!.map(measure), samples.get(other)!.map(measure));
        const ofMedians = measure(ours) / measure(rows[other]!);
        write(`  target ${label} >= ${min}x: ${ratio.toFixed(2)}x ${ratio >= min ? 'PASS' : 'FAIL'}  (ratio of the medians ${ofMedians.toFixed(2)}x)\n`);
      };
      target(file.bytes > LARGE ? 'ours MB/s vs nginx' : 'ours req/s vs nginx', 'nginx', 0.8);
      if (file.bytes <= LARGE) target('ours (keep-alive) vs python http.server', 'python 1/conn', 20);
      target('ours vs npm http-server', 'http-server', 1);
      write('\n');
      report[file.name] = rows;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}

/** processTree lists `pid` and its descendants (taskset execs in place; nginx forks its worker). */
function processTree(pid: number): number[] {
  const out = [pid];
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').map(Number);
  for (const child of children) out.push(...processTree(child));
  return out;
}

function safeCpu(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0;
  }
}
