import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionRegistry } from './connection-registry.js';

const entry = (name: string): { name: string; registrySlot: number } => ({ name, registrySlot: -1 });
const names = (r: ConnectionRegistry<{ name: string; registrySlot: number }>): string[] => {
  const seen: string[] = [];
  r.forEach((e) => seen.push(e.name));
  return seen.sort();
};

test('registry: add, remove from the middle, the end and twice; slots stay true', () => {
  const r = new ConnectionRegistry<{ name: string; registrySlot: number }>();
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(entry) as [ReturnType<typeof entry>, ReturnType<typeof entry>, ReturnType<typeof entry>, ReturnType<typeof entry>];
  for (const e of [a, b, c, d]) r.add(e);
  r.add(b); // already in: nothing changes
  assert.equal(r.size, 4);
  r.remove(b); // d moves into b's slot
  assert.deepEqual(names(r), ['a', 'c', 'd']);
  assert.equal(b.registrySlot, -1);
  assert.equal(d.registrySlot, 1);
  r.remove(b); // a close reported twice
  assert.equal(r.size, 3);
  r.remove(c); // the last one
  r.remove(a);
  assert.deepEqual(names(r), ['d']);
  assert.equal(d.registrySlot, 0);
  r.remove(d);
  assert.equal(r.size, 0);
  r.add(b); // it can come back in
  assert.deepEqual(names(r), ['b']);
});

test('registry: forEach visits each entry once when visits remove entries', () => {
  const cases: Array<{ name: string; removes: (e: { name: string; registrySlot: number }, all: Array<{ name: string; registrySlot: number }>) => Array<{ name: string; registrySlot: number }> }> = [
    { name: 'each removes itself', removes: (e) => [e] },
    { name: 'every other removes itself', removes: (e, all) => (all.indexOf(e) % 2 === 0 ? [e] : []) },
    { name: 'none removed', removes: () => [] },
  ];
  for (const c of cases) {
    const r = new ConnectionRegistry<{ name: string; registrySlot: number }>();
    const all = Array.from({ length: 7 }, (_, i) => entry(String(i)));
    for (const e of all) r.add(e);
    const visited: string[] = [];
    r.forEach((e) => {
      visited.push(e.name);
      for (const gone of c.removes(e, all)) r.remove(gone);
    });
    assert.deepEqual(visited.sort(), all.map((e) => e.name).sort(), c.name);
    assert.equal(r.size, all.filter((e) => c.removes(e, all).length === 0).length, c.name);
  }
});
