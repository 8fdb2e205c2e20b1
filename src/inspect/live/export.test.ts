import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureEvent } from '../capture.js';
import { ExchangeSplitter } from '../exchanges.js';
import { harProblems } from '../har-schema.test-util.js';
import { harOf, pcapOf } from './export.js';
import { conversation } from './live.test-util.js';
import { LiveRecorder } from './recorder.js';

function record(events: readonly CaptureEvent[], capacity = 100): LiveRecorder {
  const recorder = new LiveRecorder({ capacity });
  const splitter = new ExchangeSplitter([recorder]);
  for (const e of events) splitter.push(e);
  return recorder;
}

/** streams reads an IPv4/TCP pcap back into the payload each client port sent, per direction. */
function streams(file: Buffer): Map<string, string> {
  assert.equal(file.readUInt32LE(0), 0xa1b2c3d4);
  const out = new Map<string, string>();
  let lastTime = 0;
  for (let off = 24; off < file.length; ) {
    const time = file.readUInt32LE(off) * 1e6 + file.readUInt32LE(off + 4);
    assert.ok(time >= lastTime, 'timestamps never go backwards');
    lastTime = time;
    const len = file.readUInt32LE(off + 8);
    const f = file.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    const tcp = f.subarray(34);
    const key = `${tcp.readUInt16BE(0)}>${tcp.readUInt16BE(2)}`;
    const payload = tcp.subarray((tcp[12]! >> 4) * 4).toString('latin1');
    out.set(key, (out.get(key) ?? '') + payload);
  }
  return out;
}

const get = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: lab\r\n\r\n`;
const ok = (b: string): string => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${b.length}\r\n\r\n${b}`;

test('harOf: the complete kept exchanges, valid HAR 1.2, in time order', () => {
  const events = [
    ...conversation(1, [['client', get('/a') + get('/b')], ['server', ok('one') + ok('two')]], { start: 1000 }),
    ...conversation(2, [['client', get('/cut')], ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc']], { start: 2000 }),
  ];
  const doc = harOf(record(events).ring, '1.2.3');
  assert.deepEqual(harProblems(doc), []);
  assert.equal(doc.log.creator.version, '1.2.3');
  assert.deepEqual(doc.log.entries.map((e) => [e.request.url, e.response.status, e.response.content.text]), [['http://lab/a', 200, 'one'], ['http://lab/b', 200, 'two']]);
});

test('pcapOf: each connection a stream with exactly the kept bytes; evicted exchanges are gone', () => {
  const events = [
    ...conversation(1, [['client', get('/old')], ['server', ok('old')]], { start: 1000, clientPort: 5001 }),
    ...conversation(2, [['client', get('/a') + get('/b')], ['server', ok('one') + ok('two')]], { start: 2000, clientPort: 5002 }),
    ...conversation(3, [['client', get('/c')], ['server', ok('three')]], { start: 3000, clientPort: 5003, close: false }),
  ];
  const s = streams(pcapOf(record(events, 3).ring));
  assert.deepEqual([...s.keys()].sort(), ['5002>8000', '5003>8000', '8000>5002', '8000>5003']);
  assert.equal(s.get('5002>8000'), get('/a') + get('/b'));
  assert.equal(s.get('8000>5002'), ok('one') + ok('two'));
  assert.equal(s.get('8000>5003'), ok('three'));
});

test('pcapOf: an empty buffer is a pcap with only the global header', () => {
  assert.equal(pcapOf([]).length, 24);
});
