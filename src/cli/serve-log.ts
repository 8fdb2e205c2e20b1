// The access log of `wirehttp serve`: one line (or JSON object) per answered request on stderr.
import pc from 'picocolors';
import type { ConnectionInfo, ConnectionObserver, Request, Response } from '../server/types.js';

/** AccessLog watches the engine through its observer seam and collects notes the handler adds. */
export interface AccessLog {
  readonly observer: ConnectionObserver;
  /** note attaches a plain-language reason to the request's log line (SPA fallback, upload stored…). */
  note(req: Request, text: string): void;
}

/** AccessRecord is one JSON log line (--log json). */
export interface AccessRecord {
  time: string;
  client: string;
  method: string;
  target: string;
  version: string;
  status: number;
  bytes: number;
  ms: number;
  userAgent: string | null;
  notes?: string[];
}

interface Pending {
  start: number;
  notes: string[] | undefined;
}

/**
 * createAccessLog writes a line when each response has ended (timed from its request head, so queueing
 * behind pipelined requests and writing count), and one for requests the engine refused before any
 * handler ran (400, 431…). `text` lines look like python's http.server with the byte count and the
 * duration added, coloured by status class when `colour`; `json` writes one object per line.
 */
export function createAccessLog(format: 'text' | 'json', write: (line: string) => void, colour: boolean): AccessLog {
  const pending = new WeakMap<Request, Pending>();
  const paint = pc.createColors(colour);
  const emit = (record: AccessRecord): void => write(format === 'json' ? JSON.stringify(record) : textLine(record, paint));
  return {
    note(req, text) {
      const p = pending.get(req);
      if (p === undefined) pending.set(req, { start: performance.now(), notes: [text] });
      else (p.notes ??= []).push(text);
    },
    observer: {
      requestHead(_conn: ConnectionInfo, req: Request, time: number) {
        pending.set(req, { start: time, notes: undefined });
      },
      responseEnd(_conn: ConnectionInfo, req: Request, res: Response, time: number, bytes: number) {
        const p = pending.get(req);
        pending.delete(req);
        const record: AccessRecord = {
          time: new Date().toISOString(),
          client: req.clientAddress,
          method: req.method,
          target: req.target,
          version: `HTTP/${req.httpVersion}`,
          status: res.statusCode,
          bytes,
          ms: Math.round((time - (p?.start ?? time)) * 100) / 100,
          userAgent: req.headers.get('user-agent') ?? null,
        };
        if (p?.notes !== undefined) record.notes = p.notes;
        emit(record);
      },
      protocolError(conn: ConnectionInfo, error: Error, status: number) {
        const code = (error as Error & { code?: string }).code;
        emit({
          time: new Date().toISOString(), client: conn.remoteAddress, method: '-', target: '-', version: '-',
          status, bytes: 0, ms: 0, userAgent: null, notes: [`refused by the parser${code === undefined ? '' : `: ${code}`}`],
        });
      },
    },
  };
}

type Paint = ReturnType<typeof pc.createColors>;

/** textLine: `2026-11-24 19:18:29 127.0.0.1 "GET / HTTP/1.1" 200 1.2 KiB 0.8 ms "curl/8.5.0" (note)`. */
export function textLine(r: AccessRecord, paint: Paint): string {
  const when = localTime(new Date(r.time));
  const status = String(r.status);
  const coloured = r.status >= 500 ? paint.red(status) : r.status >= 400 ? paint.yellow(status) : r.status >= 300 ? paint.cyan(status) : paint.green(status);
  const request = r.method === '-' ? '"-"' : `"${printable(r.method)} ${printable(r.target)} ${r.version}"`;
  const ms = r.ms >= 1000 ? `${(r.ms / 1000).toFixed(2)} s` : `${r.ms.toFixed(1)} ms`;
  const ua = r.userAgent === null ? '' : ` ${paint.dim(`"${printable(r.userAgent)}"`)}`;
  const notes = r.notes === undefined ? '' : ` ${paint.magenta(`(${r.notes.map(printable).join('; ')})`)}`;
  return `${paint.dim(when)} ${r.client} ${paint.bold(request)} ${coloured} ${humanBytes(r.bytes)} ${paint.dim(ms)}${ua}${notes}`;
}

/** printable escapes control characters so a request cannot write terminal escapes into the log. */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f"\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function localTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const OBSERVER_METHODS: ReadonlyArray<keyof ConnectionObserver> = [
  'open', 'secure', 'keylog', 'tlsBytes', 'bytesIn', 'bytesOut', 'requestHead', 'responseStart', 'responseEnd', 'protocolError', 'close',
];

/**
 * bothServerObservers lets the access log and the inspector watch the same server (the engine holds
 * one observer). Only methods one of them has are defined: the engine takes a slower TLS path when
 * `tlsBytes` exists, so it must not appear unless the inspector asked for it.
 */
export function bothServerObservers(a: ConnectionObserver | undefined, b: ConnectionObserver | undefined): ConnectionObserver | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const out: Record<string, (...args: never[]) => void> = {};
  for (const k of OBSERVER_METHODS) {
    const fa = a[k] as ((...p: never[]) => void) | undefined;
    const fb = b[k] as ((...p: never[]) => void) | undefined;
    if (typeof fa !== 'function' && typeof fb !== 'function') continue;
    out[k] = (...params: never[]) => {
      fa?.apply(a, params);
      fb?.apply(b, params);
    };
  }
  return out as ConnectionObserver;
}
