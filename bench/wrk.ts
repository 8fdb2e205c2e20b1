import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  requestsPerSecond: number;
  /** Bytes per second received (wrk's Transfer/sec: heads and bodies). */
  bytesPerSecond: number;
  p99Ms: number | undefined;
  errors: number;
  /** Filled in by the caller: the server's CPU time per request, µs. */
  cpuUsPerRequest?: number;
}

/** ensureWrk installs Debian's wrk when missing and we are root, or explains how. */
export function ensureWrk(): void {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('wrk is not installed: apt-get install -y wrk');
  process.stdout.write('bench: installing wrk (apt-get install -y wrk)\n');
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk'], { stdio: 'inherit' });
}

let pipelineScript: string | undefined;

/** pipelineLua writes (once) a wrk script that sends `depth` requests per write. */
export function pipelineLua(depth: number): string {
  if (pipelineScript !== undefined) return pipelineScript;
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-bench-'));
  pipelineScript = join(dir, `pipeline-${depth}.lua`);
  writeFileSync(
    pipelineScript,
    `init = function(args)\n  local r = {}\n  for i = 1, ${depth} do r[i] = wrk.format(nil, "/") end\n  req = table.concat(r)\nend\nrequest = function() return req end\n`,
  );
  return pipelineScript;
}

/** runWrk runs wrk pinned to core 1 and parses its summary. */
export function runWrk(url: string, args: readonly string[], seconds: number): WrkResult {
  const out = execFileSync('taskset', ['-c', '1', 'wrk', '-t1', `-d${seconds}s`, '--latency', ...args, url], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)\b/.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 } as const;
  const scale = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
  return {
    requestsPerSecond: rps === null ? 0 : Number(rps[1]),
    bytesPerSecond: transfer === null ? 0 : Number(transfer[1]) * scale[transfer[2] as keyof typeof scale],
    p99Ms: p99 === null ? undefined : Number(p99[1]) * unit[p99[2] as keyof typeof unit],
    errors: (errors === null ? 0 : Number(errors[1]) + Number(errors[3]) + Number(errors[4])) + (non2xx === null ? 0 : Number(non2xx[1])),
  };
}
