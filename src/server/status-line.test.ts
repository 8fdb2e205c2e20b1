import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusLine } from './status-line.js';

// in order: a custom reason must not end up in the cache the standard lines come from
const lines: Array<[0 | 1, number, string | undefined, string]> = [
  [1, 200, undefined, 'HTTP/1.1 200 OK\r\n'],
  [1, 200, 'Fine', 'HTTP/1.1 200 Fine\r\n'],
  [1, 200, undefined, 'HTTP/1.1 200 OK\r\n'],
  [1, 200, 'Split\r\nX-Injected: 1', 'HTTP/1.1 200 OK\r\n'],
  [0, 404, undefined, 'HTTP/1.0 404 Not Found\r\n'],
  [0, 404, 'Gone Fishing', 'HTTP/1.0 404 Gone Fishing\r\n'],
  [1, 404, undefined, 'HTTP/1.1 404 Not Found\r\n'],
  [1, 599, undefined, 'HTTP/1.1 599 \r\n'],
];
for (const [minor, status, reason, want] of lines) {
  test(`statusLine(${minor}, ${status}, ${JSON.stringify(reason)})`, () => assert.equal(statusLine(minor, status, reason), want));
}
