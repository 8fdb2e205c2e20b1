import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A bench server running in its own process, pinned to core 0. */
export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Asks the server to collect garbage and resolves with its RSS in bytes. */
  rssAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

/** startServer launches bench/servers/NAME.js and resolves once it prints `listening PORT`. */
export function startServer(name: string): Promise<RunningServer> {
  const script = fileURLToPath(new URL(`./servers/${name}.js`, import.meta.url));
  const child = spawn('sh', ['-c', `ulimit -n 20000 2>/dev/null; exec taskset -c 0 "${process.execPath}" --expose-gc "${script}" 0`], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`bench server ${name} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m === null) return;
      child.removeAllListeners('exit');
      resolve({
        name,
        port: Number(m[1]),
        child,
        rssAfterGc: () =>
          new Promise((done) => {
            child.once('message', (msg: { rss: number }) => done(msg.rss));
            child.send('gc');
          }),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
