import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ring } from './ring.js';

type Op = ['push', number] | ['shift'];

const cases: Array<{ name: string; capacity: number; ops: Op[]; want: number[]; evicted: number[] }> = [
  { name: 'empty', capacity: 3, ops: [], want: [], evicted: [] },
  { name: 'under capacity keeps order', capacity: 3, ops: [['push', 1], ['push', 2]], want: [1, 2], evicted: [] },
  { name: 'full', capacity: 3, ops: [['push', 1], ['push', 2], ['push', 3]], want: [1, 2, 3], evicted: [] },
  { name: 'overflow drops the oldest', capacity: 3, ops: [['push', 1], ['push', 2], ['push', 3], ['push', 4], ['push', 5]], want: [3, 4, 5], evicted: [1, 2] },
  { name: 'wraps many times', capacity: 2, ops: Array.from({ length: 9 }, (_, i): Op => ['push', i]), want: [7, 8], evicted: [0, 1, 2, 3, 4, 5, 6] },
  { name: 'shift then push reuses the slot', capacity: 2, ops: [['push', 1], ['push', 2], ['shift'], ['push', 3]], want: [2, 3], evicted: [1] },
  { name: 'shift on empty', capacity: 2, ops: [['shift'], ['push', 1]], want: [1], evicted: [] },
  { name: 'capacity one', capacity: 1, ops: [['push', 1], ['push', 2]], want: [2], evicted: [1] },
];

for (const c of cases) {
  test(`Ring: ${c.name}`, () => {
    const ring = new Ring<number>(c.capacity);
    const evicted: number[] = [];
    for (const op of c.ops) {
      const out = op[0] === 'push' ? ring.push(op[1]) : ring.shift();
      if (out !== undefined) evicted.push(out);
    }
    assert.deepEqual([...ring], c.want);
    assert.equal(ring.size, c.want.length);
    assert.deepEqual(c.want.map((_, i) => ring.at(i)), c.want);
    assert.equal(ring.at(c.want.length), undefined);
    assert.equal(ring.at(-1), undefined);
    assert.deepEqual(evicted, c.evicted);
  });
}

test('Ring: 10,000 slots take 25,000 pushes and keep the newest 10,000', () => {
  const ring = new Ring<number>(10_000);
  for (let i = 1; i <= 25_000; i++) ring.push(i);
  assert.equal(ring.size, 10_000);
  assert.equal(ring.at(0), 15_001);
  assert.equal(ring.at(9_999), 25_000);
});

test('Ring: a capacity below 1 or fractional is refused', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Ring(bad), RangeError);
});
