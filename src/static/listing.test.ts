import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeSegment, escapeHtml, formatSize, readListing, renderListingHtml, renderListingJson, sortEntries, type ListingEntry } from './listing.js';

const T = Date.UTC(2024, 4, 6, 7, 8, 9);
const e = (name: string, kind: ListingEntry['kind'] = 'file', size = 1): ListingEntry => ({ name, kind, size, mtimeMs: T });

test('sortEntries: folders first, then natural order', () => {
  const got = sortEntries([e('b.txt'), e('Zdir', 'directory'), e('a10.txt'), e('a2.txt'), e('adir', 'directory')]);
  assert.deepEqual(got.map((x) => x.name), ['adir', 'Zdir', 'a2.txt', 'a10.txt', 'b.txt']);
});

const escapes = [
  { name: 'html', got: escapeHtml(`<a href="x">'&'</a>`), want: '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;' },
  { name: 'segment with reserved chars', got: encodeSegment("a b#?%&'().txt"), want: 'a%20b%23%3F%25%26%27%28%29.txt' },
  { name: 'segment utf-8', got: encodeSegment('été'), want: '%C3%A9t%C3%A9' },
  { name: 'size bytes', got: formatSize(512), want: '512 B' },
  { name: 'size KiB', got: formatSize(1536), want: '1.5 KiB' },
  { name: 'size MiB', got: formatSize(3 * 1024 * 1024), want: '3.0 MiB' },
];
for (const c of escapes) test(`format: ${c.name}`, () => assert.equal(c.got, c.want));

test('renderListingHtml: escapes and encodes every name, breadcrumb, parent link', () => {
  const evil = '<img src=x onerror=alert(1)>.txt';
  const html = renderListingHtml({ path: '/a b/<c>/', entries: [e('sub dir', 'directory'), e(evil, 'file', 2048)] });
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;.txt'));
  assert.ok(html.includes(`href="${encodeSegment(evil)}"`));
  assert.ok(html.includes('href="sub%20dir/">sub dir/</a>'));
  assert.ok(html.includes('href="../"'));
  assert.ok(html.includes('<a href="/a%20b/">a b</a>/'));
  assert.ok(html.includes('<a href="/a%20b/%3Cc%3E/">&lt;c&gt;</a>/'));
  assert.ok(html.includes('name="viewport"'));
  assert.ok(html.includes('2.0 KiB'));
  assert.ok(!html.includes('<form'));
});

test('renderListingHtml: root has no parent link; upload form when enabled', () => {
  const html = renderListingHtml({ path: '/', entries: [], upload: true });
  assert.ok(!html.includes('href="../"'));
  assert.ok(html.includes('<form method="post" enctype="multipart/form-data">'));
});

test('renderListingJson: shape', () => {
  const json = JSON.parse(renderListingJson({ path: '/x/', entries: [e('d', 'directory', 0), e('a b.txt', 'file', 5)] }));
  assert.deepEqual(json, {
    path: '/x/',
    entries: [
      { name: 'd', type: 'directory', size: 0, modified: new Date(T).toISOString(), url: 'd/' },
      { name: 'a b.txt', type: 'file', size: 5, modified: new Date(T).toISOString(), url: 'a%20b.txt' },
    ],
  });
});

test('readListing: reads a folder, hides dotfiles unless asked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirehttp-list-'));
  try {
    await mkdir(join(dir, 'z-folder'));
    await writeFile(join(dir, 'a.txt'), 'hello');
    await writeFile(join(dir, '.hidden'), 'x');
    const plain = await readListing(dir, false);
    assert.deepEqual(plain.map((x) => [x.name, x.kind, x.size]), [['z-folder', 'directory', 0], ['a.txt', 'file', 5]]);
    const all = await readListing(dir, true);
    assert.deepEqual(all.map((x) => x.name), ['z-folder', '.hidden', 'a.txt']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
