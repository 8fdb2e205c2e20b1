import type { Handler, Request, Response } from '../../server/types.js';
import type { Asset } from './assets.js';
import { detailOf } from './detail.js';
import type { EventStream } from './event-stream.js';
import { harOf, pcapOf } from './export.js';
import type { LiveRecorder } from './recorder.js';

/** Headers on every answer: the page loads only its own files, is never framed, and leaks no referrer. */
const SECURITY: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface PageOptions {
  readonly recorder: LiveRecorder;
  readonly events: EventStream;
  readonly assets: ReadonlyMap<string, Asset>;
  /** wirehttp's version, for the HAR creator. */
  readonly version: string;
  /** Clock for download file names (tests pass a fixed one). */
  readonly now?: () => Date;
}

/**
 * pageHandler answers the inspector page's requests: the page's files, `/events` (server-sent
 * events, see EventStream), `/api/exchange/N` (one exchange's Detail as JSON, 404 once it left the
 * buffer), `/capture.har` and `/capture.pcap` (the kept exchanges as downloads). Only GET and HEAD.
 *
 * The captured traffic may hold cookies and passwords: besides listening on loopback only, a request
 * whose Host is not this loopback address and port is refused with 403, so a web page that rebinds
 * its own DNS name to 127.0.0.1 cannot read the capture (DNS rebinding). No CORS header is sent.
 */
export function pageHandler(options: PageOptions): Handler {
  const { recorder, events, assets } = options;
  const now = options.now ?? (() => new Date());
  return (req, res) => {
    for (const [k, v] of Object.entries(SECURITY)) res.setHeader(k, v);
    if (!hostAllowed(req)) return plain(res, 403, 'This inspector answers only to http://127.0.0.1:PORT/ or http://localhost:PORT/.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'Only GET and HEAD.\n');
    }
    const path = req.path;
    const asset = assets.get(path);
    if (asset !== undefined) {
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', 'no-cache');
      res.end(asset.body);
      return;
    }
    if (path === '/events') return events.handle(res);
    if (path.startsWith('/api/exchange/')) {
      const digits = path.slice('/api/exchange/'.length);
      const entry = /^[1-9][0-9]{0,15}$/.test(digits) ? recorder.get(Number(digits)) : undefined;
      if (entry === undefined) return json(res, 404, { error: 'not in the buffer (never recorded, or dropped as newer exchanges came)' });
      return json(res, 200, detailOf(entry));
    }
    if (path === '/capture.har') {
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(now(), 'har')}"`);
      return json(res, 200, harOf(recorder.ring, options.version), 2);
    }
    if (path === '/capture.pcap') {
      res.setHeader('Content-Type', 'application/vnd.tcpdump.pcap');
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(now(), 'pcap')}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.end(pcapOf(recorder.ring));
      return;
    }
    return plain(res, 404, 'Not found.\n');
  };
}

/** hostAllowed: no Host (HTTP/1.0), or Host naming this loopback listener by address or `localhost`. */
function hostAllowed(req: Request): boolean {
  const host = req.headers.get('host');
  if (host === undefined) return true;
  const h = host.toLowerCase();
  const port = req.localPort;
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

function plain(res: Response, status: number, text: string): void {
  res.status(status).setHeader('Content-Type', 'text/plain; charset=utf-8').end(text);
}

function json(res: Response, status: number, value: unknown, indent?: number): void {
  res.status(status).setHeader('Content-Type', 'application/json; charset=utf-8').setHeader('Cache-Control', 'no-store').end(JSON.stringify(value, null, indent));
}

/** fileName is `wirehttp-YYYYMMDD-HHMMSS.ext` in UTC. */
function fileName(d: Date, ext: string): string {
  const iso = d.toISOString();
  return `wirehttp-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}.${ext}`;
}
