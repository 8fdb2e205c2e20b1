import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SiblingFinder } from './siblings.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-siblings-'));
  writeFileSync(join(dir, 'app.js'), 'x'.repeat(2000));
  return dir;
}

test('siblings: found with their coding; a sibling that changes size is seen on the next ask', () => {
  const dir = folder();
  try {
    const file = join(dir, 'app.js');
    writeFileSync(`${file}.br`, 'BR');
    writeFileSync(`${file}.gz`, 'GZIP');
    const finder = new SiblingFinder();
    assert.deepEqual(finder.find(file, 0).map((s) => [s.coding, s.st.size]), [['br', 2], ['gzip', 4]]);
    writeFileSync(`${file}.br`, 'BROTLI');
    unlinkSync(`${file}.gz`);
    assert.deepEqual(finder.find(file, 1).map((s) => [s.coding, s.st.size]), [['br', 6]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('siblings: "none" is believed for a second, then the disk is asked again', () => {
  const dir = folder();
  try {
    const file = join(dir, 'app.js');
    const finder = new SiblingFinder();
    assert.equal(finder.find(file, 10_000).length, 0);
    writeFileSync(`${file}.gz`, 'GZIP');
    assert.equal(finder.find(file, 10_999).length, 0, 'within the second: still none');
    assert.deepEqual(finder.find(file, 11_000).map((s) => s.coding), ['gzip']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('siblings: a folder named like a sibling is not one; the memory of absent ones stays bounded', () => {
  const dir = folder();
  try {
    const file = join(dir, 'app.js');
    mkdirSync(`${file}.br`);
    const finder = new SiblingFinder(3);
    assert.equal(finder.find(file, 0).length, 0);
    for (let i = 0; i < 10; i++) assert.equal(finder.find(join(dir, `f${i}`), 0).length, 0);
    assert.ok((finder as unknown as { absent: Map<string, number> }).absent.size <= 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
