import { readdirSync, readFileSync } from 'node:fs';

/** figure prints one result line of the reliability suite (collected into docs/RELIABILITY.md). */
export function figure(name: string, value: string): void {
  process.stdout.write(`figure: ${name}: ${value}\n`);
}

/** openFds counts this process's open file descriptors. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** rssBytes reads this process's resident set size. */
export function rssBytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m === null ? process.memoryUsage().rss : Number(m[1]) * 1024;
}
