import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentRange, parseRange, unsatisfiedRange, type RangeResult } from './range.js';

const r = (...pairs: Array<[number, number]>): RangeResult => ({ kind: 'ranges', ranges: pairs.map(([start, end]) => ({ start, end })) });
const IGNORE: RangeResult = { kind: 'ignore' };
const UNSAT: RangeResult = { kind: 'unsatisfiable' };

const cases: Array<{ name: string; header: string | undefined; size?: number; want: RangeResult }> = [
  { name: 'absent', header: undefined, want: IGNORE },
  { name: 'first 100', header: 'bytes=0-99', want: r([0, 99]) },
  { name: 'last 500 (suffix)', header: 'bytes=-500', want: r([500, 999]) },
  { name: 'from 500 to end', header: 'bytes=500-', want: r([500, 999]) },
  { name: 'last byte', header: 'bytes=-1', want: r([999, 999]) },
  { name: 'suffix longer than file', header: 'bytes=-5000', want: r([0, 999]) },
  { name: 'end past size is clamped', header: 'bytes=900-5000', want: r([900, 999]) },
  { name: 'huge last-pos saturates', header: 'bytes=0-99999999999999999999999', want: r([0, 999]) },
  { name: 'unit is case-insensitive', header: 'Bytes=0-0', want: r([0, 0]) },
  { name: 'list', header: 'bytes=0-9,20-29', want: r([0, 9], [20, 29]) },
  { name: 'list with OWS and empty elements', header: 'bytes= 0-9 ,\t, 20-29 ,', want: r([0, 9], [20, 29]) },
  { name: 'overlap coalesced', header: 'bytes=0-50,40-99', want: r([0, 99]) },
  { name: 'adjacent coalesced', header: 'bytes=0-9,10-19', want: r([0, 19]) },
  { name: 'out of order sorted', header: 'bytes=500-599,0-9', want: r([0, 9], [500, 599]) },
  { name: 'repeated whole file collapses', header: 'bytes=0-,0-,0-,0-', want: r([0, 999]) },
  { name: 'one unsatisfiable among good is dropped', header: 'bytes=0-9,5000-6000', want: r([0, 9]) },
  { name: 'start at size', header: 'bytes=1000-', want: UNSAT },
  { name: 'start past size', header: 'bytes=2000-3000', want: UNSAT },
  { name: 'zero suffix', header: 'bytes=-0', want: UNSAT },
  { name: 'all unsatisfiable', header: 'bytes=1000-1001,-0', want: UNSAT },
  { name: 'last < first invalid', header: 'bytes=10-5', want: IGNORE },
  { name: 'naive parsers read -500 wrong, not us', header: 'bytes=-500', size: 600, want: r([100, 599]) },
  { name: 'other unit', header: 'items=0-5', want: IGNORE },
  { name: 'no equals', header: 'bytes 0-5', want: IGNORE },
  { name: 'no dash', header: 'bytes=5', want: IGNORE },
  { name: 'letters', header: 'bytes=a-b', want: IGNORE },
  { name: 'negative', header: 'bytes=--5', want: IGNORE },
  { name: 'sign', header: 'bytes=+0-5', want: IGNORE },
  { name: 'space inside spec', header: 'bytes=0 - 5', want: IGNORE },
  { name: 'only dash', header: 'bytes=-', want: IGNORE },
  { name: 'empty set', header: 'bytes=', want: IGNORE },
  { name: 'only commas', header: 'bytes=,,', want: IGNORE },
  { name: 'one bad spec poisons the list', header: 'bytes=0-5,x', want: IGNORE },
  { name: 'empty file ignores Range', header: 'bytes=0-5', size: 0, want: IGNORE },
  { name: '16 ranges honoured', header: `bytes=${Array.from({ length: 16 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`, want: r(...Array.from({ length: 16 }, (_, i): [number, number] => [i * 10, i * 10 + 1])) },
  { name: '17 ranges ignored', header: `bytes=${Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`, want: IGNORE },
];

for (const c of cases) {
  test(`parseRange: ${c.name}`, () => {
    assert.deepEqual(parseRange(c.header, c.size ?? 1000), c.want);
  });
}

test('parseRange: maxRanges limit is configurable', () => {
  assert.deepEqual(parseRange('bytes=0-1,5-6', 100, { maxRanges: 1 }), IGNORE);
});

const formats = [
  { name: 'content-range', got: contentRange({ start: 0, end: 99 }, 1000), want: 'bytes 0-99/1000' },
  { name: 'unsatisfied', got: unsatisfiedRange(1000), want: 'bytes */1000' },
];
for (const c of formats) test(`format: ${c.name}`, () => assert.equal(c.got, c.want));
