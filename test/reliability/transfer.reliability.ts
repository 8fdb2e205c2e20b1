import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { figure } from './support.js';

const SERVER = fileURLToPath(new URL('./transfer-server.js', import.meta.url));
const PEER = fileURLToPath(new URL('./slow-peer.js', import.meta.url));
const GIB = 1024 * 1024 * 1024;
const RATE = 128 * 1024 * 1024; // bytes per second: ~8 s per transfer
const MIB = 1024 * 1024;

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

interface Memory {
  rss: number;
  held: number;
}

function afterGc(server: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    server.once('message', (m: Memory) => resolve(m));
    server.send('rss');
  });
}

/** peer runs the slow peer in its own process and resolves with the bytes it moved and the time taken. */
function peer(port: number, mode: 'upload' | 'download'): Promise<{ bytes: number; ms: number }> {
  const child = spawn(process.execPath, [PEER, String(port), mode, String(GIB), String(RATE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      const m = /done (\d+) (\d+)/.exec(out);
      if (m === null) reject(new Error(`slow peer ${mode} exited ${code}: ${out}`));
      else resolve({ bytes: Number(m[1]), ms: Number(m[2]) });
    });
  });
}

interface Transfer {
  ms: number;
  /** Largest RSS growth over idle seen (sampled every 50 ms). */
  peak: number;
  /** Largest growth of what JavaScript holds after a forced GC (sampled every second). */
  held: number;
}

/** transfer starts a server of `kind`, moves 1 GiB in `mode` through a slow peer and measures the server. */
async function transfer(kind: 'ours' | 'node', mode: 'upload' | 'download'): Promise<Transfer> {
  const server = spawn(process.execPath, ['--expose-gc', SERVER, kind], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    await afterGc(server);
    const idle = await afterGc(server);
    let peak = idle.rss;
    let held = idle.held;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid!))), 50);
    const collector = setInterval(() => void afterGc(server).then((m) => (held = Math.max(held, m.held))), 1000);
    const moved = await peer(port, mode);
    clearInterval(sampler);
    clearInterval(collector);
    assert.equal(moved.bytes, GIB, `${kind} ${mode}`);
    return { ms: moved.ms, peak: (peak - idle.rss) / MIB, held: (held - idle.held) / MIB };
  } finally {
    server.kill('SIGTERM');
  }
}

const show = (t: Transfer): string => `${(t.ms / 1000).toFixed(1)} s, held +${t.held.toFixed(1)} MiB, RSS peak +${t.peak.toFixed(1)} MiB`;

test('1 GiB upload and 1 GiB download against a slow peer: the server holds only a few MiB', async () => {
  const upload = await transfer('ours', 'upload');
  const download = await transfer('ours', 'download');
  const nodeUpload = await transfer('node', 'upload');
  figure(
    '1 GiB each way, peer at 128 MiB/s in another process (held = heap + external after GC)',
    `upload ${show(upload)}; download ${show(download)}; node:http upload ${show(nodeUpload)}`,
  );
  for (const [name, t] of [['upload', upload], ['download', download]] as const) {
    assert.ok(t.held < 8, `${name}: the server held ${t.held.toFixed(1)} MiB more than idle`);
    // Every socket read is a fresh 64 KiB buffer outside the JS heap, dropped at once but freed only by
    // a GC (V8 runs one after ~64 MiB of such memory) and by malloc: RSS peaks above what is held.
    assert.ok(t.peak < 64, `${name}: RSS peaked ${t.peak.toFixed(1)} MiB over idle`);
  }
  assert.ok(upload.peak <= nodeUpload.peak + 8, `upload RSS peak ${upload.peak.toFixed(1)} MiB vs node:http ${nodeUpload.peak.toFixed(1)} MiB`);
});
