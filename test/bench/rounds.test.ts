import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, pairedRatio, turnOrder } from '../../bench/rounds.js';

const cases: Array<{ name: string; got: () => number; want: number }> = [
  { name: 'median of an odd list', got: () => median([3, 1, 2]), want: 2 },
  { name: 'median of an even list', got: () => median([4, 1, 3, 2]), want: 2.5 },
  // the machine doubles its speed for round 2: both contenders move, their ratio does not
  { name: 'paired ratio ignores a round where the machine was faster', got: () => pairedRatio([30, 60, 32], [20, 40, 20]), want: 1.5 },
  // a ratio of medians would take 32/20 = 1.6 here, from different rounds
  { name: 'paired ratio pairs by round, not by rank', got: () => pairedRatio([30, 60, 32], [20, 20, 40]), want: 1.5 },
];

for (const c of cases) test(c.name, () => assert.equal(c.got(), c.want));

test('each round starts one contender later, and every contender runs once per round', () => {
  const orders = [0, 1, 2, 3].map((round) => turnOrder(['ours', 'node-http', 'raw'], round).join(' '));
  assert.deepEqual(orders, ['ours node-http raw', 'node-http raw ours', 'raw ours node-http', 'ours node-http raw']);
});
