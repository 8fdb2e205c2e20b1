import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on Linux's usual builds). */
const TICKS_PER_SECOND = 100;

/**
 * cpuSeconds reads the CPU time (user + system) a process has used so far, from /proc/PID/stat.
 * With it the bench reports CPU per request, which stays meaningful when wrk, on its own core, is
 * the bottleneck and the server's core sits partly idle (then req/s only measures wrk).
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A reading of one core's time counters from /proc/stat, in clock ticks. */
export interface CoreTicks {
  busy: number;
  total: number;
}

/** coreTicks reads how much time core `core` has spent busy (anything but idle and iowait) and in all. */
export function coreTicks(core: number): CoreTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  if (line === undefined) return { busy: 0, total: 0 };
  // user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, t) => a + t, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/**
 * busyShare is the fraction of the time between two readings that the core was busy. For wrk's core
 * it tells whether a round measured the server at all: at ~100% wrk (and the kernel's work for the
 * packets it sends, which loopback does on the sender's core) was the limit, and every server fast
 * enough lands on the same figure.
 */
export function busyShare(before: CoreTicks, after: CoreTicks): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}
