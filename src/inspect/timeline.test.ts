import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Har, HarEntry } from './har.js';
import { tickStep, timelineFromHar, timelineSvg, type Timeline } from './timeline.js';

const T0 = Date.parse('2026-01-01T12:00:00.000Z');

/** entry builds the HAR fields the timeline reads; `at` is ms after T0. */
function entry(connection: string, at: number, target: string, timings: Partial<HarEntry['timings']>, status = 200): HarEntry {
  return {
    startedDateTime: new Date(T0 + at).toISOString(),
    time: 0,
    request: { method: 'GET', url: `http://lab${target}`, httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: 0, bodySize: 0 },
    response: { status, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], headers: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: 0, bodySize: 0 },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: 0, receive: 0, ssl: -1, ...timings },
    serverIPAddress: '127.0.0.1',
    connection,
  };
}

function har(entries: HarEntry[]): Har {
  return { log: { version: '1.2', creator: { name: 'test', version: '0' }, entries } };
}

/** summary writes a lane per line: `#conn kind row:label@start+setup/send/wait/receive`. */
function summary(t: Timeline): string[] {
  return t.lanes.map((l) => `#${l.connection} ${l.kind} ${l.bars.map((b) => `${b.row}:${b.label}@${b.start}+${b.phases.setup}/${b.phases.send}/${b.phases.wait}/${b.phases.receive}`).join(' ')}`);
}

const cases: Array<{ name: string; entries: HarEntry[]; want: string[]; duration: number }> = [
  {
    name: 'one request per connection: a lane each',
    entries: [entry('1', 0, '/a', { wait: 200, receive: 2 }), entry('2', 220, '/b', { wait: 200, receive: 1 })],
    want: ['#1 single 0:GET /a@0+0/0/200/2', '#2 single 0:GET /b@220+0/0/200/1'],
    duration: 421,
  },
  {
    name: 'keep-alive: one lane, the second exchange begins after the first ends',
    entries: [entry('3', 0, '/a', { wait: 200, receive: 1 }), entry('3', 205, '/b', { send: 0.5, wait: 200, receive: 1 })],
    want: ['#3 sequential 0:GET /a@0+0/0/200/1 1:GET /b@205+0/0.5/200/1'],
    duration: 406.5,
  },
  {
    name: 'keep-alive with HAR millisecond rounding: a start up to 1 ms before the previous end is still one after another',
    entries: [entry('6', 0, '/a', { wait: 10.4 }), entry('6', 10, '/b', { wait: 10 })],
    want: ['#6 sequential 0:GET /a@0+0/0/10.4/0 1:GET /b@10+0/0/10/0'],
    duration: 20,
  },
  {
    name: 'pipelining: one lane, both exchanges begin together and overlap',
    entries: [entry('4', 0, '/a', { wait: 203, receive: 3 }), entry('4', 0, '/b', { wait: 206, receive: 1 })],
    want: ['#4 pipelined 0:GET /a@0+0/0/203/3 1:GET /b@0+0/0/206/1'],
    duration: 207,
  },
  {
    name: 'lanes in the order their first exchange began, whatever the file order; the query is kept',
    entries: [entry('9', 50, '/late?x=1', { wait: 10 }), entry('7', 0, '/early', { wait: 10 })],
    want: ['#7 single 0:GET /early@0+0/0/10/0', '#9 single 0:GET /late?x=1@50+0/0/10/0'],
    duration: 60,
  },
  {
    name: "browser HARs: blocked, dns and connect are the setup; -1 (not applicable) counts as 0",
    entries: [entry('5', 0, '/', { blocked: 1, dns: -1, connect: 4, ssl: 3, send: -1, wait: 10, receive: 5 })],
    want: ['#5 single 0:GET /@0+5/0/10/5'],
    duration: 20,
  },
];

for (const c of cases) {
  test(`timelineFromHar: ${c.name}`, () => {
    const t = timelineFromHar(har(c.entries));
    assert.deepEqual(summary(t), c.want);
    assert.equal(t.duration, c.duration);
  });
}

test('timelineFromHar: an entry without a date is refused', () => {
  const bad = entry('1', 0, '/', {});
  bad.startedDateTime = 'yesterday';
  assert.throws(() => timelineFromHar(har([bad])), TypeError);
});

const steps: Array<{ duration: number; want: number }> = [
  { duration: 1660, want: 200 },
  { duration: 421, want: 50 },
  { duration: 9, want: 1 },
  { duration: 4, want: 0.5 },
  { duration: 0, want: 0.1 },
];
for (const s of steps) {
  test(`tickStep(${s.duration}) = ${s.want}`, () => assert.ok(Math.abs(tickStep(s.duration) - s.want) < 1e-9, String(tickStep(s.duration))));
}

test('timelineSvg: a bar segment per phase that took time, labels escaped, same input gives the same bytes', () => {
  const t = timelineFromHar(har([entry('1', 0, '/a', { wait: 200, receive: 2 }), entry('1', 0, '/b', { send: 1, wait: 205, receive: 1 }), entry('"2"', 300, '/c', { wait: 5 })]));
  const svg = timelineSvg(t, { title: 'pipelining <&> "quoted"' });
  assert.equal(svg, timelineSvg(t, { title: 'pipelining <&> "quoted"' }));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760" height="\d+"/);
  assert.ok(svg.endsWith('</svg>\n'));
  assert.equal((svg.match(/<rect [^>]*><title>/g) ?? []).length, 2 + 3 + 1, 'wait+receive, send+wait+receive, wait');
  assert.ok(svg.includes('>pipelining &lt;&amp;&gt; &quot;quoted&quot;</text>'));
  assert.ok(svg.includes('>connection #&quot;2&quot;</text>'));
  assert.ok(svg.includes('>2 connections, 3 exchanges</text>'));
  assert.ok(svg.includes('>pipelined</text>'), 'connection 1 carried /b before /a was answered');
  for (const label of ['GET /a', 'GET /b', 'GET /c', '200 · 202 ms', 'waiting for the answer', 'response received', 'request sent']) assert.ok(svg.includes(label), label);
  assert.equal(svg.includes('connecting'), false, 'no setup phase in the data, none in the legend');
  assert.equal((svg.match(/<text /g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
});

test('timelineSvg: an empty HAR is an empty timeline, still a valid picture', () => {
  const svg = timelineSvg(timelineFromHar(har([])));
  assert.ok(svg.includes('0 connections, 0 exchanges'));
  assert.ok(svg.endsWith('</svg>\n'));
});
