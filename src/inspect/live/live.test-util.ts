// Shared by the live inspector's unit tests: conversations as capture events, and the exchanges our
// splitter reads from them.
import type { CaptureEvent, Side } from '../capture.js';
import { ExchangeSplitter, type Exchange } from '../exchanges.js';

/** conversation turns [side, bytes] pieces into the capture events of one connection (open … close). */
export function conversation(id: number, pieces: ReadonlyArray<readonly [Side, string | Buffer]>, options: { start?: number; close?: boolean; clientPort?: number } = {}): CaptureEvent[] {
  let time = options.start ?? 1_700_000_000_000;
  const events: CaptureEvent[] = [{
    kind: 'open', id, time, secure: false,
    client: { address: '127.0.0.1', port: options.clientPort ?? 40_000 + id }, server: { address: '127.0.0.1', port: 8000 },
  }];
  for (const [from, bytes] of pieces) events.push({ kind: 'data', id, from, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, time: (time += 1) });
  if (options.close !== false) events.push({ kind: 'close', id, by: 'client', reason: 'client FIN', time: time + 1 });
  return events;
}

/** exchangesOf runs the events through an ExchangeSplitter and returns each exchange that got a final response. */
export function exchangesOf(events: readonly CaptureEvent[]): Exchange[] {
  const out: Exchange[] = [];
  const splitter = new ExchangeSplitter([{ exchange: (e) => void (e.kind === 'response-end' && out.push(e.exchange)) }]);
  for (const e of events) splitter.push(e);
  return out;
}

/** exchange is the first exchange of a one-request conversation. */
export function exchange(request: string | Buffer, response: string | Buffer): Exchange {
  const ex = exchangesOf(conversation(1, [['client', request], ['server', response]]))[0];
  if (ex === undefined) throw new Error('no complete exchange in the conversation');
  return ex;
}
