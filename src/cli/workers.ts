// --workers for the serving commands: parse the value and run a start function on node:cluster.
import { ClusterStartError, runClustered, type ClusteredServer } from '../server/cluster.js';
import { CliError } from './output.js';

/** Help lines the serving commands add to their usage text. */
export const WORKERS_USAGE = `      --workers N|auto   run N worker processes (auto: one per core); SIGHUP replaces them one at a
                         time, SIGTERM/SIGINT stop them gracefully; requests in flight finish\n`;

/** parseWorkers reads `--workers`' value: a positive integer or 'auto'; throws CliError (exit 2). */
export function parseWorkers(command: string, text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 256) {
    throw new CliError(`${command}: invalid --workers '${text}' (a number from 1 to 256, or auto)`, 2);
  }
  return Number(text);
}

/**
 * runWorkers runs `start` in `workers` processes and resolves with the exit code once they stopped.
 * `announce` runs once in the primary with the shared port when all workers listen; in a worker it
 * never runs (the banner is printed once). Start failures become one CliError line (exit 1).
 */
export async function runWorkers(
  workers: number | 'auto',
  start: () => Promise<ClusteredServer>,
  announce: (port: number) => void,
  graceMs = 2000,
): Promise<number> {
  try {
    return await runClustered({
      workers, start, graceMs,
      log: (line) => process.stderr.write(`${line}\n`),
      onReady: (port) => {
        if (port !== undefined) announce(port);
      },
    });
  } catch (error) {
    // the worker's message already names the command (it is the CliError `start` threw)
    if (error instanceof ClusterStartError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
}
