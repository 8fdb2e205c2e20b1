import { createServer, type Server } from '../../server/index.js';
import type { CaptureSink } from '../capture.js';
import { ExchangeSplitter } from '../exchanges.js';
import { loadAssets } from './assets.js';
import { EventStream } from './event-stream.js';
import { pageHandler } from './page.js';
import { DEFAULT_BUDGET, DEFAULT_BYTES_CAP, DEFAULT_CAPACITY, LiveRecorder } from './recorder.js';

export { DEFAULT_CAPACITY, DEFAULT_BYTES_CAP, DEFAULT_BUDGET, LiveRecorder, type LiveEntry } from './recorder.js';
export { detailOf, summarize, type Detail, type Summary } from './detail.js';
export { whyNotes, type WhyNote, type WhyTopic } from './why.js';
export { requestCommand, shellQuote, type CommandTool } from './commands.js';
export { parseFilter, matches, type FilterTerm, type FilterRow } from './filter.js';

export interface LiveInspectorOptions {
  /** Exchanges kept (default 10,000); the oldest go first. */
  capacity?: number;
  /** Wire bytes kept per side of an exchange, and body bytes per message (default 256 KiB). */
  bytesCap?: number;
  /** Bytes all kept exchanges may hold together (default 128 MiB). */
  budget?: number;
  /** wirehttp's version, written into downloaded HAR files. */
  version?: string;
}

/**
 * LiveInspector is the `--inspect` page: feed capture events to `sink` (it runs its own exchange
 * splitter, with a body cap sized for the buffer), call `listen()` and open the URL it returns. The
 * page server is our own engine on 127.0.0.1 only; its traffic is not itself captured.
 */
export class LiveInspector {
  readonly recorder: LiveRecorder;
  readonly sink: CaptureSink;
  private readonly server: Server;
  private readonly events: EventStream;

  /** Throws the fs error when the page's files are missing from the package. */
  constructor(options: LiveInspectorOptions = {}) {
    const bytesCap = options.bytesCap ?? DEFAULT_BYTES_CAP;
    this.recorder = new LiveRecorder({ capacity: options.capacity ?? DEFAULT_CAPACITY, bytesCap, budget: options.budget ?? DEFAULT_BUDGET });
    const splitter = new ExchangeSplitter([this.recorder], { bodyCap: bytesCap });
    this.sink = (event) => splitter.push(event);
    const version = options.version ?? '0.0.0';
    this.events = new EventStream(this.recorder, { version });
    this.server = createServer(pageHandler({ recorder: this.recorder, events: this.events, assets: loadAssets(), version }), { serverName: '' });
  }

  /** listen binds 127.0.0.1:port (0 picks a free port) and resolves with the page's URL. Rejects with the bind error. */
  async listen(port = 0): Promise<string> {
    const address = await this.server.listen(port, '127.0.0.1');
    return `http://127.0.0.1:${address.port}/`;
  }

  /** close ends the pages' event streams and stops the page server. */
  async close(): Promise<void> {
    this.events.close();
    await this.server.close(1000);
  }
}
