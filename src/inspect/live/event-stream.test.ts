import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Response } from '../../server/types.js';
import { ExchangeSplitter } from '../exchanges.js';
import { EventStream } from './event-stream.js';
import { conversation } from './live.test-util.js';
import { LiveRecorder } from './recorder.js';

/** fakeResponse records writes; write() answers `full()`, drain() waits for `release()`. */
function fakeResponse(full: () => boolean) {
  const writes: string[] = [];
  let release = (): void => {};
  const res = {
    setHeader: () => res,
    status: () => res,
    write: (text: string) => (writes.push(text), !full()),
    drain: () => new Promise<void>((resolve) => (release = resolve)),
    end: () => undefined,
  };
  return { res: res as unknown as Response, writes, release: () => release() };
}

const exchange = (id: number): ReturnType<typeof conversation> =>
  conversation(id, [['client', `GET /${id} HTTP/1.1\r\nHost: lab\r\n\r\n`], ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']]);

test('event stream: a snapshot that fills the socket is not sent again once it drains; skipped changes are', async () => {
  const recorder = new LiveRecorder({ capacity: 100 });
  const splitter = new ExchangeSplitter([recorder]);
  for (const e of exchange(1)) splitter.push(e);
  const events = new EventStream(recorder, { version: 't' });
  let full = true;
  const page = fakeResponse(() => full);
  void events.handle(page.res);
  const snapshots = (): number => page.writes.filter((w) => w.includes('event: hello')).length;
  assert.equal(snapshots(), 1);
  // the socket drains: what it held was delivered, nothing to repeat
  full = false;
  page.release();
  await new Promise((r) => setImmediate(r));
  assert.equal(snapshots(), 1, 'a full socket still delivers the snapshot: no resend');
  // full again, and a change arrives meanwhile: it is skipped, so the next drain sends everything
  full = true;
  for (const e of exchange(2)) splitter.push(e);
  await new Promise((r) => setTimeout(r, 120)); // past the 50 ms gathering period
  const afterChange = page.writes.length;
  for (const e of exchange(3)) splitter.push(e);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(page.writes.length, afterChange, 'skipped while behind');
  full = false;
  page.release();
  await new Promise((r) => setImmediate(r));
  assert.equal(snapshots(), 2);
  assert.match(page.writes.at(-1)!, /"path":"\/3"|\/3/);
  events.close();
});
