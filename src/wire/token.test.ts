import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeaderList } from './headers.js';
import { equalsIgnoreCase, indexOfByte, latin1 } from './token.js';

// Field names are ASCII tokens: only A-Z fold, so '^' and '~' (which differ by the case bit) stay apart,
// and a non-ASCII look-alike (the Kelvin sign, which toLowerCase() turns into 'k') never matches.
const names: Array<[string, string, boolean]> = [
  ['Host', 'host', true], ['HOST', 'host', true], ['content-length', 'Content-Length', true], ['', '', true],
  ['x-a', 'X-A', true], ['a^b', 'a~b', false], ['A_B', 'a\x7fb', false], ['ab', 'abc', false], ['abc', 'abd', false],
  ['\u212Aeep-alive', 'keep-alive', false], ['1', '\x11', false],
];
for (const [a, b, want] of names) {
  test(`equalsIgnoreCase(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${want}`, () => {
    assert.equal(equalsIgnoreCase(a, b), want);
    assert.equal(equalsIgnoreCase(b, a), want);
  });
}

test('HeaderList.get finds a field in any case, and only a whole name', () => {
  const headers = new HeaderList(['Host', 'a.example', 'X-Tilde~', '1', 'Content-Length', '5']);
  assert.equal(headers.get('host'), 'a.example');
  assert.equal(headers.get('CONTENT-LENGTH'), '5');
  assert.equal(headers.get('x-tilde^'), undefined);
  assert.equal(headers.get('hos'), undefined);
});

test('latin1 and indexOfByte read a Buffer like toString("latin1") and indexOf', () => {
  const b = Buffer.from('GET / HTTP/1.1\r\nH\xe9: v\r\n\r\n', 'latin1');
  assert.equal(latin1(b, 0, 3), 'GET');
  assert.equal(latin1(b, 16, 18), 'H\xe9');
  assert.equal(indexOfByte(b, 0x0a, 0), b.indexOf(0x0a));
  assert.equal(indexOfByte(b, 0x0a, 16), b.indexOf(0x0a, 16));
  assert.equal(indexOfByte(b, 0x00, 0), -1);
});
