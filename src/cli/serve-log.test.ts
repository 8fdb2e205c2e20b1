import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { textLine, type AccessRecord } from './serve-log.js';

const base: AccessRecord = {
  time: '2026-01-02T03:04:05.000Z', client: '127.0.0.1', method: 'GET', target: '/a', version: 'HTTP/1.1',
  status: 200, bytes: 2048, ms: 1.25, userAgent: 'curl/8',
};

test('textLine: python-like request, status, size, duration, agent, notes', () => {
  const line = textLine({ ...base, notes: ['spa: sent /index.html'] }, pc.createColors(false));
  assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1 "GET \/a HTTP\/1\.1" 200 2\.0 KiB 1\.3 ms "curl\/8" \(spa: sent \/index\.html\)$/);
});

test('textLine: control characters from the peer are escaped, never written raw', () => {
  const line = textLine({ ...base, target: '/\x1b[31m', userAgent: 'x\x07\x9b"' }, pc.createColors(false));
  assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(line), line);
  assert.match(line, /"GET \/\\x1b\[31m HTTP\/1\.1"/);
  assert.match(line, /"x\\x07\\x9b\\""$/);
});

test('textLine: status classes get colours on a terminal', () => {
  const paint = pc.createColors(true);
  const colours: Array<[number, string]> = [[200, '\x1b[32m'], [304, '\x1b[36m'], [404, '\x1b[33m'], [500, '\x1b[31m']];
  for (const [status, code] of colours) assert.ok(textLine({ ...base, status }, paint).includes(`${code}${status}`), String(status));
  assert.match(textLine({ ...base, ms: 2500, bytes: 3 * 1024 * 1024 }, pc.createColors(false)), / 3\.0 MiB 2\.50 s /);
});
