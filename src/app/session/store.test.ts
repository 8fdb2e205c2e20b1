import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from './store.js';

test('memory store: values go through JSON, expire after their TTL, touch extends it', async () => {
  let now = 1_000_000;
  const store = new MemoryStore({ now: () => now });
  const data = { user: 'ann', when: new Date(0) };
  await store.set('a', data, 10);
  const back = await store.get('a');
  assert.deepEqual(back, { user: 'ann', when: '1970-01-01T00:00:00.000Z' });
  back!.user = 'eve';
  assert.equal((await store.get('a'))!.user, 'ann', 'a copy, not the stored object');

  now += 9_000;
  await store.touch('a', 10);
  now += 9_000;
  assert.equal((await store.get('a'))!.user, 'ann', 'touched at 9 s: alive at 18 s');
  now += 1_000;
  assert.equal(await store.get('a'), undefined, 'expired 10 s after the touch');
  assert.equal(store.size, 0, 'dropped when read');
  await store.touch('a', 10);
  assert.equal(await store.get('a'), undefined, 'touch does not revive');
});

test('memory store: bounded; expired entries go first, then the least recently written', async () => {
  let now = 0;
  const store = new MemoryStore({ maxEntries: 3, now: () => now });
  await store.set('short', {}, 1);
  await store.set('b', {}, 100);
  await store.set('c', {}, 100);
  now = 2_000;
  await store.set('d', {}, 100);
  assert.equal(await store.get('short'), undefined);
  assert.deepEqual(await store.get('b'), {});
  await store.set('b', { again: true }, 100); // b is now the most recent
  await store.set('e', {}, 100);
  assert.equal(await store.get('c'), undefined, 'c was the least recently written');
  for (const id of ['b', 'd', 'e']) assert.notEqual(await store.get(id), undefined, id);
  assert.equal(store.size, 3);
  await store.destroy('b');
  assert.equal(await store.get('b'), undefined);
  assert.throws(() => new MemoryStore({ maxEntries: 0 }), RangeError);
});
