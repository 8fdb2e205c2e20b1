import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';
import type { Response } from '../server/types.js';

/** The server-sent events endpoint the injected script listens on. */
export const LIVE_RELOAD_PATH = '/__wirehttp/events';

/**
 * The script injected into HTML pages: reload on a `change` event, and also when the connection comes
 * back after the server was restarted (the page may be stale). EventSource reconnects by itself.
 */
export const LIVE_RELOAD_SCRIPT =
  `<script data-wirehttp-reload>(()=>{let down=false;const s=new EventSource(${JSON.stringify(LIVE_RELOAD_PATH)});` +
  "s.addEventListener('change',()=>location.reload());s.onerror=()=>{down=true};s.onopen=()=>{if(down)location.reload()}})()</script>";

const SCRIPT_BYTES = Buffer.from(LIVE_RELOAD_SCRIPT, 'utf8');
/** Idle SSE connections get a comment line this often: proxies keep them open and gone clients are noticed. */
const HEARTBEAT_MS = 10_000;

/**
 * LiveReload watches a folder (fs.watch, recursive where the platform has it) and tells every
 * connected page over server-sent events when something under it changed. Changes are debounced: an
 * editor's save (write, rename, chmod) or a build writing many files sends one event. Names with a
 * segment starting with `.` (.git, editor swap files, upload temporaries) are ignored.
 */
export class LiveReload {
  private readonly clients = new Set<Response>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private changed = new Set<string>();
  private closed = false;
  /** How the folder is watched, for the banner: recursive, or only its top level where unsupported. */
  mode: 'recursive' | 'top-level' | 'off' = 'off';

  constructor(private readonly root: string, private readonly debounceMs = 100) {}

  /** start begins watching; throws the fs error when the root cannot be watched. */
  start(): this {
    const onChange = (_event: string, name: string | Buffer | null): void => this.changedPath(name === null ? '' : String(name));
    try {
      this.watcher = watch(this.root, { recursive: true, persistent: false }, onChange);
      this.mode = 'recursive';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw error;
      this.watcher = watch(this.root, { persistent: false }, onChange);
      this.mode = 'top-level';
    }
    this.watcher.on('error', () => {}); // a watched folder removed: keep serving, reloads just stop
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), HEARTBEAT_MS).unref();
    return this;
  }

  /** clientCount is the number of pages listening now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * handle answers the events endpoint: a `text/event-stream` response that stays open until the page
   * goes away or `close()` is called. Resolves then.
   */
  handle(res: Response): Promise<void> {
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx in front: do not hold events back
    res.status(200).write(': wirehttp live reload\nretry: 1000\n\n');
    if (this.closed) {
      res.end();
      return Promise.resolve();
    }
    this.clients.add(res);
    return new Promise<void>((resolve) => {
      (res as Response & { [kDone]?: () => void })[kDone] = resolve;
    });
  }

  /** close stops watching and ends every event stream, so a server shutting down is not held open. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    for (const res of [...this.clients]) this.drop(res, true);
  }

  /** changedPath records a change (path relative to the root) and schedules the debounced event. */
  changedPath(rel: string): void {
    if (this.closed || rel.split(sep).some((part) => part.startsWith('.'))) return;
    this.changed.add(rel.split(sep).join('/'));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const paths = [...this.changed].slice(0, 50);
      this.changed.clear();
      this.broadcast(`event: change\ndata: ${JSON.stringify({ paths })}\n\n`);
    }, this.debounceMs);
    this.timer.unref();
  }

  private broadcast(text: string): void {
    for (const res of this.clients) {
      try {
        res.write(text);
      } catch {
        this.drop(res, false);
        continue;
      }
      // drain() rejects once the connection is closed: that is how a page that went away is noticed
      res.drain().catch(() => this.drop(res, false));
    }
  }

  private drop(res: Response, end: boolean): void {
    if (!this.clients.delete(res)) return;
    if (end) {
      try {
        res.end();
      } catch {
        // already gone
      }
    }
    (res as Response & { [kDone]?: () => void })[kDone]?.();
  }
}

const kDone = Symbol('wirehttp.liveReloadDone');

/**
 * injectReloadScript returns `html` with the reload script inserted before the last `</body>` (any
 * case), or appended when the page has none. The result is a new Buffer; lengths are the caller's
 * to set from it.
 */
export function injectReloadScript(html: Buffer): Buffer {
  const text = html.toString('latin1'); // byte offsets are preserved whatever the page's encoding
  const at = text.toLowerCase().lastIndexOf('</body');
  if (at === -1) return Buffer.concat([html, SCRIPT_BYTES]);
  return Buffer.concat([html.subarray(0, at), SCRIPT_BYTES, html.subarray(at)]);
}
