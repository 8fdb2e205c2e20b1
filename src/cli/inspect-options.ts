import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import pc from 'picocolors';
import type { ClientObserver } from '../client/types.js';
import { fanOut, fromClientObserver, fromRelay, fromServerObserver, type CaptureEvent, type CaptureSink } from '../inspect/capture.js';
import { ExchangeSplitter, type ExchangeConsumer } from '../inspect/exchanges.js';
import { HarRecorder } from '../inspect/har.js';
import { DEFAULT_CAPACITY, LiveInspector } from '../inspect/live/index.js';
import { PcapSynthesizer } from '../inspect/pcap.js';
import type { RelayEvent } from '../inspect/relay.js';
import { TraceRenderer, type TraceMode } from '../inspect/trace.js';
import type { ConnectionObserver } from '../server/types.js';
import { version } from './dispatch.js';
import { CliError } from './output.js';

/** InspectArgs are the inspector flags shared by serve, request and proxy. */
export interface InspectArgs {
  trace: TraceMode | undefined;
  har: string | undefined;
  pcap: string | undefined;
  keylog: string | undefined;
  /** `--inspect[=PORT]`: the live page's port (0: a free one); serve, demo and proxy only. */
  inspect?: number | undefined;
  /** `--inspect-buffer N`: exchanges the live page keeps. */
  inspectBuffer?: number | undefined;
}

/** INSPECT_USAGE is the help block every command that takes the flags prints. */
export const INSPECT_USAGE = `
See the protocol:
      --trace           print each connection and exchange: heads exactly as sent, body framing
                        (chunk size lines, trailers), timings, keep-alive reuse, who closed and why
      --trace=hex       the same plus a hexdump of every byte (offset, 16 bytes, ASCII; CR LF = 0d 0a)
      --har FILE        write every exchange as HAR 1.2 (browser devtools import it) on exit
      --pcap FILE       write a pcap Wireshark and tshark open: each connection as a TCP stream
                        between its real addresses, written as traffic happens
      --keylog FILE     append TLS secrets (SSLKEYLOGFILE format) so Wireshark can decrypt the pcap
`;

/** INSPECT_LIVE_USAGE adds the live page's flags for the commands that serve (serve, demo, proxy). */
export const INSPECT_LIVE_USAGE = `      --inspect[=PORT]  a live page in the browser on 127.0.0.1 (a free port, or PORT; the URL is
                        printed): every exchange as it happens, filter, heads as a tree, bytes as a
                        hexdump, why the server answered so, copy as curl, HAR and pcap downloads
      --inspect-buffer N  exchanges the page keeps, oldest dropped first (default ${DEFAULT_CAPACITY})
`;

/** inspectUsage is the help block for `command`: the live page's flags only where it can run. */
export function inspectUsage(command: string): string {
  return command === 'request' ? INSPECT_USAGE : INSPECT_USAGE + INSPECT_LIVE_USAGE;
}

const VALUED = new Set(['har', 'pcap', 'keylog']);

/**
 * takeInspectArgs removes the inspector flags from argv (before `--`) and returns the rest for the
 * command's own parser. `--trace` takes an optional `=hex`/`=heads`; the others need a file name.
 * Throws CliError (exit 2) on a missing value or an unknown trace mode.
 */
export function takeInspectArgs(command: string, argv: readonly string[]): { argv: string[]; inspect: InspectArgs } {
  const inspect: InspectArgs = { trace: undefined, har: undefined, pcap: undefined, keylog: undefined, inspect: undefined, inspectBuffer: undefined };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq < 0 ? undefined : eq) : '';
    if (name === 'trace') {
      const mode = eq < 0 ? 'heads' : a.slice(eq + 1);
      if (mode !== 'heads' && mode !== 'hex') throw new CliError(`${command}: --trace takes no value or =hex, got '${mode}'`, 2);
      inspect.trace = mode;
    } else if (VALUED.has(name)) {
      const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
      if (value === undefined || value === '') throw new CliError(`${command}: --${name} needs a file name`, 2);
      inspect[name as 'har' | 'pcap' | 'keylog'] = value;
    } else if (name === 'inspect') {
      // The port only with '=': `serve --inspect 8000` keeps 8000 as serve's own port.
      const text = eq < 0 ? '0' : a.slice(eq + 1);
      const port = Number(text);
      if (!/^[0-9]{1,5}$/.test(text) || port > 65535) throw new CliError(`${command}: --inspect takes no value or =PORT (0-65535), got '${text}'`, 2);
      inspect.inspect = port;
    } else if (name === 'inspect-buffer') {
      const text = eq < 0 ? argv[++i] : a.slice(eq + 1);
      const n = Number(text);
      if (text === undefined || !/^[0-9]+$/.test(text) || n < 1 || n > 1_000_000) throw new CliError(`${command}: --inspect-buffer takes a number of exchanges from 1 to 1000000, got '${text ?? ''}'`, 2);
      inspect.inspectBuffer = n;
    } else {
      rest.push(a);
    }
  }
  if (inspect.inspect !== undefined && command === 'request') {
    throw new CliError('request: --inspect is for serve, demo and proxy (a request is over before a page could show it); use --trace, --har or --pcap', 2);
  }
  if (inspect.inspectBuffer !== undefined && inspect.inspect === undefined) throw new CliError(`${command}: --inspect-buffer sizes the --inspect page: add --inspect`, 2);
  return { argv: rest, inspect };
}

/** wantsInspector is true when any inspector flag was given. */
export function wantsInspector(args: InspectArgs): boolean {
  return args.trace !== undefined || args.har !== undefined || args.pcap !== undefined || args.keylog !== undefined || args.inspect !== undefined;
}

/**
 * Inspector is the running set of outputs. With no flag, `openInspector` returns undefined and the
 * command attaches nothing, so the engine runs without an observer.
 */
export interface Inspector {
  readonly capture: CaptureSink;
  serverObserver(): ConnectionObserver;
  clientObserver(): ClientObserver;
  relaySink(): (event: RelayEvent) => void;
  /**
   * announce starts the live page (with --inspect) and writes its URL to `out`; does nothing without
   * it. Throws CliError (exit 1) when the port cannot be bound.
   */
  announce(out: NodeJS.WritableStream): Promise<void>;
  /** close writes the HAR, flushes the pcap and key log files and stops the live page. */
  close(): Promise<void>;
}

/**
 * openInspector builds the outputs the flags ask for: the trace goes to `traceTo` (coloured on a
 * TTY, plain when piped or with NO_COLOR), the pcap and key log are written as events arrive, the
 * HAR on close. Throws CliError (exit 1) when a file cannot be created.
 */
export function openInspector(command: string, args: InspectArgs, traceTo: NodeJS.WriteStream): Inspector | undefined {
  if (!wantsInspector(args)) return undefined;
  const consumers: ExchangeConsumer[] = [];
  const sinks: CaptureSink[] = [];
  const files: CaptureFile[] = [];
  if (args.trace !== undefined) {
    const colour = traceTo.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
    consumers.push(new TraceRenderer((line) => void traceTo.write(`${line}\n`), { mode: args.trace, paint: pc.createColors(colour) }));
  }
  const har = args.har === undefined ? undefined : new HarRecorder();
  if (har !== undefined) {
    checkWritable(command, args.har!);
    consumers.push(har);
  }
  if (args.pcap !== undefined) {
    const file = openFile(command, args.pcap, 'w');
    files.push(file);
    const pcap = new PcapSynthesizer((record) => file.write(record));
    sinks.push((e) => pcap.push(e));
  }
  if (args.keylog !== undefined) {
    const file = openFile(command, args.keylog, 'a');
    files.push(file);
    sinks.push((e: CaptureEvent) => {
      if (e.kind === 'keylog') file.write(Buffer.from(`${e.line}\n`, 'latin1'));
    });
  }
  if (consumers.length > 0) {
    const splitter = new ExchangeSplitter(consumers);
    sinks.unshift((e) => splitter.push(e));
  }
  // The page keeps its own splitter: its body cap is sized for a buffer of thousands of exchanges.
  const live = args.inspect === undefined ? undefined : openLive(command, args);
  if (live !== undefined) sinks.push(live.sink);
  // Server and client show their TLS bytes to --pcap; should a TLS connection still come without any
  // (a server whose TLS context could not be tapped), its stream holds only the TCP handshake and
  // teardown: say so once rather than leave an empty stream unexplained.
  const secureWithoutWire = new Set<number>();
  let warned = false;
  if (args.pcap !== undefined) {
    sinks.push((e) => {
      if (e.kind === 'open' && e.secure) secureWithoutWire.add(e.id);
      else if (e.kind === 'wire') secureWithoutWire.delete(e.id);
      else if (e.kind === 'close' && secureWithoutWire.delete(e.id) && !warned) {
        warned = true;
        process.stderr.write(`wirehttp: ${command}: --pcap cannot see the encrypted bytes of TLS connection #${e.id} here; its stream in the pcap holds only the TCP handshake and teardown\n`);
      }
    });
  }
  const all = fanOut(sinks);
  // An uncaught exception still runs 'exit' listeners: what was captured reaches the files.
  const flushAll = (): void => {
    for (const f of files) f.flush();
  };
  if (files.length > 0) process.on('exit', flushAll);
  // Connections still open when the command ends get a moment to report their close (the FIN in the pcap).
  const open = new Set<number>();
  let allClosed: (() => void) | undefined;
  const capture: CaptureSink = (e) => {
    if (e.kind === 'open') open.add(e.id);
    all(e);
    if (e.kind === 'close' && open.delete(e.id) && open.size === 0) allClosed?.();
  };
  return {
    capture,
    serverObserver: () => fromServerObserver(capture, { tlsWire: args.pcap !== undefined }),
    clientObserver: () => fromClientObserver(capture, { tlsWire: args.pcap !== undefined }),
    relaySink: () => fromRelay(capture),
    async announce(out) {
      if (live === undefined) return;
      let url: string;
      try {
        url = await live.listen(args.inspect);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'EADDRINUSE' ? `port ${args.inspect} is in use on 127.0.0.1 (use --inspect alone for a free one)` : `cannot listen: ${code ?? String(error)}`;
        throw new CliError(`${command}: --inspect: ${why}`, 1, { cause: error });
      }
      out.write(`Inspector: ${url} (live page on loopback only; keeps the last ${live.recorder.ring.capacity} exchanges)\n`);
    },
    async close() {
      await live?.close();
      if (open.size > 0) {
        await new Promise<void>((resolve) => {
          allClosed = resolve;
          setTimeout(resolve, 1000).unref();
        });
      }
      if (har !== undefined) {
        try {
          writeFileSync(args.har!, `${JSON.stringify(har.har(version()), null, 2)}\n`);
        } catch (error) {
          throw new CliError(`${command}: cannot write ${args.har}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
        }
      }
      for (const f of files) f.close();
      process.removeListener('exit', flushAll);
    },
  };
}

/** openLive builds the --inspect page, or throws CliError (exit 1) when its files are missing from the package. */
function openLive(command: string, args: InspectArgs): LiveInspector {
  try {
    return new LiveInspector({ capacity: args.inspectBuffer ?? DEFAULT_CAPACITY, version: version() });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new CliError(`${command}: --inspect: the page's files are missing (${e.code ?? String(error)}${e.path === undefined ? '' : ` ${e.path}`}); reinstall wirehttp`, 1, { cause: error });
  }
}

/** bothClientObservers lets `-v` and the inspector watch the same client. */
export function bothClientObservers(a: ClientObserver | undefined, b: ClientObserver | undefined): ClientObserver | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  // Methods may live on a class prototype, so the names are listed rather than read with Object.keys.
  const names: Array<keyof ClientObserver> = ['connecting', 'open', 'secure', 'keylog', 'tlsBytes', 'reuse', 'bytesOut', 'bytesIn', 'close'];
  const out: Record<string, (...args: never[]) => void> = {};
  for (const k of names) {
    if (typeof a[k] !== 'function' && typeof b[k] !== 'function') continue;
    out[k] = (...params: never[]) => {
      (a[k] as ((...p: never[]) => void) | undefined)?.apply(a, params);
      (b[k] as ((...p: never[]) => void) | undefined)?.apply(b, params);
    };
  }
  return out as ClientObserver;
}

/**
 * CaptureFile appends to a descriptor with synchronous writes, batched: what one turn of the event
 * loop captured is written at its end (setImmediate), sooner past FLUSH_BYTES, and on exit. So the
 * file grows with the traffic, a killed process loses at most the turn it was in, and a busy server
 * makes one write call per turn rather than one per packet. After a failed write (disk full) it
 * stops writing: a capture must not stop the server or the request.
 */
interface CaptureFile {
  write(bytes: Buffer): void;
  flush(): void;
  close(): void;
}

const FLUSH_BYTES = 256 * 1024;

function openFile(command: string, path: string, flags: 'w' | 'a'): CaptureFile {
  let fd: number | undefined;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    throw new CliError(`${command}: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
  let pending: Buffer[] = [];
  let size = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
    pending = [];
    size = 0;
    if (fd === undefined) return;
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    } catch {
      closeSync(fd);
      fd = undefined;
    }
  };
  return {
    write(bytes) {
      if (fd === undefined) return;
      pending.push(bytes);
      size += bytes.length;
      if (size >= FLUSH_BYTES) flush();
      else scheduled ??= setImmediate(flush);
    },
    flush,
    close() {
      flush();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** checkWritable creates (or opens) the file now, so a bad path fails at startup with one line. */
function checkWritable(command: string, path: string): void {
  try {
    writeFileSync(path, '');
  } catch (error) {
    throw new CliError(`${command}: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
}
