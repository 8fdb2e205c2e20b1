import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { VettedPaths } from './safe-path.js';
import { TurnMemo } from './turn-memo.js';

test('TurnMemo: a value lasts until the turn ends, then every value is gone', async () => {
  const memo = new TurnMemo<number>();
  memo.set('a', 1);
  memo.set('b', 2);
  await Promise.resolve(); // microtasks belong to the same turn
  assert.equal(memo.get('a'), 1);
  assert.equal(memo.get('b'), 2);
  await nextTurn();
  assert.equal(memo.get('a'), undefined);
  memo.set('a', 3); // a new turn schedules its own forgetting
  assert.equal(memo.get('a'), 3);
  await nextTurn();
  assert.equal(memo.get('a'), undefined);
});

test('VettedPaths: one stat per path and turn; a change shows in the next turn', async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'wirehttp-turn-')));
  try {
    const file = join(root, 'f.txt');
    await writeFile(file, 'one');
    const vetted = new VettedPaths();
    const first = vetted.resolve(root, file);
    assert.equal(vetted.resolve(root, file).st, first.st, 'the same Stats within the turn');
    await writeFile(file, 'longer'); // resumes in a later turn
    const later = vetted.resolve(root, file);
    assert.notEqual(later.st, first.st);
    assert.equal(later.st.size, 6);
    await rm(file);
    assert.throws(() => vetted.resolve(root, file), (error: { status?: number }) => error.status === 404);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
