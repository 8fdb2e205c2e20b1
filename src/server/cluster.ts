import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** ClusteredServer is what `start` returns in each worker: something that listens and closes gracefully. */
export interface ClusteredServer {
  /** Stops accepting, lets requests in flight finish within `graceMs`, resolves when all is closed. */
  close(graceMs?: number): Promise<void>;
  /** The bound address, reported to the primary's `onReady` (optional). */
  address?(): { port: number } | null;
}

export interface ClusterOptions {
  /** Number of worker processes; 'auto' = os.availableParallelism(). */
  workers: number | 'auto';
  /** Runs in every worker: build the server and listen (port 0 gives all workers the same free port). */
  start: () => Promise<ClusteredServer>;
  /** Where the primary and the workers report starts, exits, restarts and reloads (default: nowhere). */
  log?: (line: string) => void;
  /** Grace period for in-flight requests when a worker is retired (default 10 s). */
  graceMs?: number;
  /** Primary only: called once, when the first set of workers all listen, with their port if known. */
  onReady?: (port: number | undefined) => void;
  /** Backoff for restarting crashed workers: first delay and cap, ms (default 100 and 10,000). */
  restartDelay?: { min: number; max: number };
}

/** ClusterStartError: a worker could not start before any worker was ever ready (e.g. port in use). */
export class ClusterStartError extends Error {
  override readonly name = 'ClusterStartError';
}

/** Messages between the primary and its workers (the `wirehttp` key keeps them apart from the app's). */
type WorkerMessage = { wirehttp: 'ready'; port: number | undefined } | { wirehttp: 'failed'; message: string };
type PrimaryMessage = { wirehttp: 'close'; graceMs: number };

/** A worker that lived this long before crashing restarts after the shortest delay again. */
const STABLE_MS = 10_000;

/**
 * runClustered runs a server on node:cluster. In the primary it forks `workers` processes running
 * `start`, restarts crashed ones with exponential backoff, replaces them one at a time on SIGHUP (fork
 * the new one, wait until it listens, then close the old one gracefully) and shuts all down gracefully
 * on SIGTERM/SIGINT. Connections are distributed by the primary (round-robin), so a worker that closes
 * its listener gets no new connections while it finishes the ones it has: neither reload nor shutdown
 * fails a request in flight. Resolves with an exit code once this process's part is over (primary: all
 * workers gone; worker: its server closed). Rejects with ClusterStartError in the primary when the
 * first workers cannot start.
 */
export function runClustered(options: ClusterOptions): Promise<number> {
  return cluster.isPrimary ? runPrimary(options) : runWorker(options);
}

/** workerCount resolves 'auto' and validates a number (at least 1). */
export function workerCount(workers: number | 'auto'): number {
  if (workers === 'auto') return availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer or 'auto', got ${workers}`);
  return workers;
}

// ---- worker ------------------------------------------------------------------------------------------

async function runWorker(options: ClusterOptions): Promise<number> {
  const send = (message: WorkerMessage): void => {
    if (process.connected) process.send?.(message);
  };
  let server: ClusteredServer;
  try {
    server = await options.start();
  } catch (error) {
    // the primary reports it (once, not once per worker)
    send({ wirehttp: 'failed', message: error instanceof Error ? error.message : String(error) });
    cluster.worker?.disconnect();
    return 1;
  }
  return new Promise<number>((resolve) => {
    let closing = false;
    const close = (graceMs: number): void => {
      if (closing) return;
      closing = true;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('message', onMessage);
      void server.close(graceMs).finally(() => {
        process.off('SIGHUP', ignore);
        if (process.connected) cluster.worker?.disconnect();
        resolve(0);
      });
    };
    const graceMs = options.graceMs ?? 10_000;
    const onMessage = (message: unknown): void => {
      if (isPrimaryMessage(message)) close(message.graceMs);
    };
    // Ctrl+C reaches the whole process group: a worker closes as gracefully as when the primary asks.
    const onSignal = (): void => close(graceMs);
    // Reload is the primary's job; a SIGHUP sent to the group must not kill workers.
    const ignore = (): void => {};
    process.on('message', onMessage);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('SIGHUP', ignore);
    // An orphaned worker (primary killed) closes instead of serving forever.
    process.once('disconnect', () => close(graceMs));
    send({ wirehttp: 'ready', port: server.address?.()?.port });
  });
}

function isPrimaryMessage(m: unknown): m is PrimaryMessage {
  return typeof m === 'object' && m !== null && (m as { wirehttp?: unknown }).wirehttp === 'close';
}

function isWorkerMessage(m: unknown): m is WorkerMessage {
  const kind = typeof m === 'object' && m !== null ? (m as { wirehttp?: unknown }).wirehttp : undefined;
  return kind === 'ready' || kind === 'failed';
}

// ---- primary -----------------------------------------------------------------------------------------

interface Slot {
  readonly worker: Worker;
  readonly forkedAt: number;
  ready: boolean;
  /** Set when the primary asked it to close: its exit is not a crash. */
  retiring: boolean;
  /** Forked by a reload: if it fails to start, the reload stops and the old worker stays. */
  readonly forReload: boolean;
  failure: string | undefined;
  readonly settled: Promise<boolean>;
  settle: (ready: boolean) => void;
  readonly exited: Promise<void>;
}

function runPrimary(options: ClusterOptions): Promise<number> {
  const count = workerCount(options.workers);
  const log = options.log ?? ((): void => {});
  const graceMs = options.graceMs ?? 10_000;
  const delay = options.restartDelay ?? { min: 100, max: 10_000 };
  const slots = new Map<number, Slot>();
  let everReady = false;
  let stopping = false;
  let reloading: Promise<void> | undefined;
  let reloadAgain = false;
  let crashes = 0;
  const restartTimers = new Set<NodeJS.Timeout>();
  let failed: ClusterStartError | undefined;
  let hardStop: NodeJS.Timeout | undefined;
  let finished = false;

  return new Promise<number>((resolve, reject) => {
    const fork = (forReload = false): Slot => {
      const worker = cluster.fork();
      let settle!: (ready: boolean) => void;
      let exitedResolve!: () => void;
      const slot: Slot = {
        worker, forkedAt: Date.now(), ready: false, retiring: false, forReload, failure: undefined,
        settled: new Promise<boolean>((r) => (settle = r)), settle: (ready) => settle(ready),
        exited: new Promise<void>((r) => (exitedResolve = r)),
      };
      slots.set(worker.id, slot);
      // A message to a worker that is exiting can fail (EPIPE, channel closed) before its 'exit' is
      // seen; that exit is handled below, so the failed send is no news. Unheard, it would crash the primary.
      worker.on('error', () => {});
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.wirehttp === 'ready') {
          slot.ready = true;
          slot.settle(true);
          onWorkerReady(message.port);
        } else {
          slot.failure = message.message;
        }
      });
      worker.on('exit', (code, signal) => {
        const handle = (): void => {
          slots.delete(worker.id);
          slot.settle(false);
          exitedResolve();
          onWorkerExit(slot, code, signal);
        };
        // its last messages (a start failure) may still be in the channel: read them first
        if (worker.isConnected()) worker.process.once('disconnect', handle);
        else handle();
      });
      return slot;
    };

    let announced = false;
    const onWorkerReady = (port: number | undefined): void => {
      everReady = true;
      if (announced) return;
      if ([...slots.values()].filter((s) => s.ready).length < count) return;
      announced = true;
      log(`cluster: ${count} worker${count === 1 ? '' : 's'} listening (primary pid ${process.pid})`);
      options.onReady?.(port);
    };

    const onWorkerExit = (slot: Slot, code: number | null, signal: string | null): void => {
      const pid = slot.worker.process.pid;
      if (stopping) {
        if (slots.size === 0) finish(0);
        return;
      }
      if (slot.retiring) return;
      const how = signal === null ? `code ${code}` : `signal ${signal}`;
      if (!everReady) {
        // Nothing ever listened: restarting would fail the same way (port in use, bad folder…).
        failed = new ClusterStartError(slot.failure ?? `a worker exited with ${how} before listening`);
        stop();
        return;
      }
      if (slot.forReload && !slot.ready) return; // reload() reports it and keeps the old worker
      crashes = Date.now() - slot.forkedAt >= STABLE_MS ? 0 : crashes + 1;
      const wait = Math.min(delay.max, delay.min * 2 ** Math.max(0, crashes - 1));
      log(`cluster: worker ${pid} exited (${how}); restarting in ${wait} ms`);
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) fork();
      }, wait);
      restartTimers.add(timer);
    };

    const retire = async (slot: Slot): Promise<void> => {
      slot.retiring = true;
      const kill = (): void => void slot.worker.process.kill('SIGTERM');
      // isConnected() can still say yes for a worker whose end of the channel just closed
      if (slot.worker.isConnected()) slot.worker.send({ wirehttp: 'close', graceMs } satisfies PrimaryMessage, undefined, (error) => error && kill());
      else kill();
      await slot.exited;
    };

    const reloadOnce = async (): Promise<void> => {
      const old = [...slots.values()].filter((s) => !s.retiring);
      log(`cluster: reload: replacing ${old.length} worker${old.length === 1 ? '' : 's'} one at a time`);
      for (const previous of old) {
        if (stopping) return;
        const next = fork(true);
        if (!(await next.settled)) {
          log(`cluster: reload stopped: a new worker failed to start (${next.failure ?? 'it exited'}); the old workers keep serving`);
          return;
        }
        if (stopping) return;
        await retire(previous);
      }
      log('cluster: reload done');
    };

    const reload = (): void => {
      if (stopping) return;
      if (reloading !== undefined) {
        reloadAgain = true;
        return;
      }
      reloading = reloadOnce().finally(() => {
        reloading = undefined;
        if (reloadAgain) {
          reloadAgain = false;
          reload();
        }
      });
    };

    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      if (failed === undefined && everReady) log(`cluster: shutting down ${slots.size} worker${slots.size === 1 ? '' : 's'}`);
      for (const slot of slots.values()) void retire(slot);
      // A worker stuck past its grace period (a handler that never ends) is killed.
      hardStop = setTimeout(() => {
        for (const slot of slots.values()) slot.worker.process.kill('SIGKILL');
      }, graceMs + 5000);
      hardStop.unref();
      if (slots.size === 0) finish(0);
    };

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      if (hardStop !== undefined) clearTimeout(hardStop);
      process.off('SIGHUP', reload);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      if (failed !== undefined) reject(failed);
      else resolve(code);
    };
    const onStop = (): void => stop();

    process.on('SIGHUP', reload);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    for (let i = 0; i < count; i++) fork();
  });
}
