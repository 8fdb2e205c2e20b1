import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hexdump } from './hexdump.js';

const cases = [
  { name: 'empty', input: '', start: 0, want: [] as string[] },
  {
    name: 'a request line: CR LF visible as 0d 0a and ..',
    input: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    start: 0,
    want: [
      '0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a   GET / HTTP/1.1..',
      '0010  48 6f 73 74 3a 20 78 0d  0a 0d 0a                  Host: x....',
    ],
  },
  {
    name: 'exactly 8 bytes: the second group is blank',
    input: 'abcdefgh',
    start: 0,
    want: ['0000  61 62 63 64 65 66 67 68                            abcdefgh'],
  },
  {
    name: 'non-printables and high bytes are dots; offsets start where asked',
    input: '\x00\x7f\x80\xff ~',
    start: 0x20,
    want: ['0020  00 7f 80 ff 20 7e                                  .... ~'],
  },
  {
    name: 'offsets past 0xffff widen to 8 digits',
    input: 'z',
    start: 0x10000,
    want: ['00010000  7a                                                 z'],
  },
];

for (const c of cases) {
  test(`hexdump: ${c.name}`, () => {
    assert.deepEqual(hexdump(Buffer.from(c.input, 'latin1'), c.start), c.want);
  });
}
