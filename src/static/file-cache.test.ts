import assert from 'node:assert/strict';
import { mkdtemp, readFile, realpath, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { test } from 'node:test';
import { FileCache } from './file-cache.js';

const anHourAgo = (): Date => new Date(Date.now() - 3600_000);

/** Each row writes a file, loads it through the cache, changes it, and says whether the next ask must read the disk. */
const rows: Array<{ name: string; recent?: boolean; change: (file: string, when: Date) => Promise<void>; reread: boolean }> = [
  { name: 'unchanged: served from memory', change: async () => {}, reread: false },
  {
    name: 'same size and time, new inode (saved as a copy renamed over it)', reread: true,
    change: async (file, when) => {
      await writeFile(`${file}.tmp`, 'BBBB');
      await utimes(`${file}.tmp`, when, when);
      await rename(`${file}.tmp`, file);
    },
  },
  {
    name: 'same inode and size, new time', reread: true,
    change: async (file) => writeFile(file, 'CCCC'),
  },
  { name: 'written just now: not kept, so a same-tick rewrite cannot hide', recent: true, change: async () => {}, reread: true },
];

for (const row of rows) {
  test(`FileCache: ${row.name}`, async () => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'wirehttp-fcache-')));
    try {
      const file = join(dir, 'f.txt');
      const when = anHourAgo();
      await writeFile(file, 'AAAA');
      if (row.recent !== true) await utimes(file, when, when);
      const cache = new FileCache(1 << 20, 1 << 16);
      const loaded = await cache.get(file, await stat(file));
      assert.equal(loaded.body.toString(), 'AAAA');
      await row.change(file, when);
      const now = await stat(file);
      assert.equal(cache.peek(file, now) === undefined, row.reread);
      const again = await cache.get(file, now);
      assert.equal(again.body.toString(), await readFile(file, 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('FileCache: over budget, the least recently used files go first; a hit counts as a use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirehttp-lru-'));
  try {
    const cache = new FileCache(30, 10);
    const files: Record<string, { path: string; st: Stats }> = {};
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const path = join(dir, name);
      await writeFile(path, name.repeat(10));
      await utimes(path, anHourAgo(), anHourAgo()); // not racy: kept
      files[name] = { path, st: await stat(path) };
    }
    const held = (): string[] => ['a', 'b', 'c', 'd', 'e'].filter((n) => cache.holds(files[n]!.path));
    for (const n of ['a', 'b', 'c']) await cache.get(files[n]!.path, files[n]!.st);
    assert.deepEqual(held(), ['a', 'b', 'c']);
    assert.ok(cache.peek(files.a!.path, files.a!.st)); // a is now the most recent
    await cache.get(files.d!.path, files.d!.st); // evicts b, the least recently used
    assert.deepEqual(held(), ['a', 'c', 'd']);
    await cache.get(files.c!.path, files.c!.st); // a hit through get() counts too
    await cache.get(files.e!.path, files.e!.st); // evicts a
    assert.deepEqual(held(), ['c', 'd', 'e']);
    assert.equal(cache.size, 30);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('FileCache.latin1: the body as one character per byte, made once and charged to the budget', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirehttp-latin1-'));
  try {
    const path = join(dir, 'bytes.bin');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await writeFile(path, bytes);
    await utimes(path, anHourAgo(), anHourAgo());
    const cache = new FileCache(1024, 512);
    const entry = await cache.get(path, await stat(path));
    assert.equal(cache.size, 256);
    const text = cache.latin1(path, entry);
    assert.deepEqual(Buffer.from(text, 'latin1'), bytes);
    assert.equal(cache.size, 512);
    assert.equal(cache.latin1(path, entry), text);
    assert.equal(cache.size, 512, 'made once');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
