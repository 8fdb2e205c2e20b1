// The inspector's cost (issue 7): hello-world keep-alive with no observer, an observer attached that
// does nothing, and --pcap writing every packet to a file. Ratios are to 'none' in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWrk, runWrk } from './wrk.js';
import { median, turnOrder } from './rounds.js';

const MODES = ['none', 'empty', 'noop', 'pcap'] as const;
// issue 7: no flag (the seam unused) >= 0.98x, --pcap >= 0.5x; an observer that does nothing is shown for scale
const TARGETS: Record<string, number> = { empty: 0.98, pcap: 0.5 };

function start(mode: string, file: string): Promise<{ port: number; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./inspect-server.js', import.meta.url));
  const child: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, script, mode, file], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`inspect bench server ${mode} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m === null) return;
      child.removeAllListeners('exit');
      resolve({ port: Number(m[1]), stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) });
    });
  });
}

/** runInspectBench interleaves rounds of wrk -c50 over the modes and prints medians and ratios. */
export async function runInspectBench(rounds: number, seconds: number, write: (text: string) => void): Promise<Record<string, { rps: number; ratio: number }>> {
  ensureWrk();
  write(`inspect: hello world, keep-alive, 50 connections, ${rounds} interleaved rounds of ${seconds}s\n`);
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-inspect-bench-'));
  const samples = new Map<string, number[]>();
  let pcapBytes = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of turnOrder(MODES, round)) {
        const file = join(dir, `round${round}.pcap`);
        const server = await start(mode, file);
        try {
          const url = `http://127.0.0.1:${server.port}/`;
          runWrk(url, ['-c50'], 2);
          samples.set(mode, [...(samples.get(mode) ?? []), runWrk(url, ['-c50'], seconds).requestsPerSecond]);
        } finally {
          await server.stop();
        }
        if (mode === 'pcap') {
          pcapBytes = Math.max(pcapBytes, statSync(file).size);
          rmSync(file, { force: true });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(samples.get('none')!);
  const out: Record<string, { rps: number; ratio: number }> = {};
  for (const mode of MODES) {
    const rps = median(samples.get(mode)!);
    const ratio = rps / base;
    out[mode] = { rps, ratio };
    const target = TARGETS[mode];
    const verdict = target === undefined ? '' : `  target >= ${target}x: ${ratio >= target ? 'PASS' : 'FAIL'}`;
    write(`  ${mode.padEnd(6)} ${rps.toFixed(0).padStart(9)} req/s  ${ratio.toFixed(3)}x none${verdict}\n`);
  }
  write(`  (largest pcap written in one round: ${(pcapBytes / 1e6).toFixed(1)} MB)\n\n`);
  return out;
}
