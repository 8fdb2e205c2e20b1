import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busyShare, coreTicks } from '../../bench/cpu.js';

const cases: Array<{ name: string; before: { busy: number; total: number }; after: { busy: number; total: number }; want: number }> = [
  { name: 'a core busy for 90 of 100 ticks', before: { busy: 1000, total: 5000 }, after: { busy: 1090, total: 5100 }, want: 0.9 },
  { name: 'an idle core', before: { busy: 1000, total: 5000 }, after: { busy: 1000, total: 5200 }, want: 0 },
  { name: 'no time passed', before: { busy: 10, total: 50 }, after: { busy: 10, total: 50 }, want: 0 },
];
for (const c of cases) test(`busyShare: ${c.name}`, () => assert.equal(busyShare(c.before, c.after), c.want));

test('coreTicks reads core 0 from /proc/stat: busy within total, and time moves on', async () => {
  const first = coreTicks(0);
  assert.ok(first.total > 0 && first.busy >= 0 && first.busy <= first.total, JSON.stringify(first));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(coreTicks(0).total > first.total);
});
