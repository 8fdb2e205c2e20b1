import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { checkRealPath, checkRealPathSync, isInside, PathError, resolveSafePath, SafePathMemo, VettedPaths, type PathRefusal } from './safe-path.js';

const ROOT = `${sep}srv${sep}www`;

type Want = { segments: string[]; slash?: boolean } | { status: number; reason: PathRefusal };

const corpus: Array<{ name: string; path: string; hidden?: boolean; want: Want }> = [
  { name: 'root', path: '/', want: { segments: [] } },
  { name: 'plain file', path: '/a/b.txt', want: { segments: ['a', 'b.txt'] } },
  { name: 'trailing slash', path: '/a/', want: { segments: ['a'], slash: true } },
  { name: 'encoded space', path: '/a%20b', want: { segments: ['a b'] } },
  { name: 'utf-8 name', path: '/%C3%A9t%C3%A9', want: { segments: ['été'] } },
  { name: 'double slash collapses', path: '//a//b', want: { segments: ['a', 'b'] } },
  { name: 'absolute-looking path stays under root', path: '//etc/passwd', want: { segments: ['etc', 'passwd'] } },
  { name: 'dot dot', path: '/../etc/passwd', want: { status: 400, reason: 'dot-segment' } },
  { name: 'dot dot in the middle', path: '/a/../../etc', want: { status: 400, reason: 'dot-segment' } },
  { name: 'single dot', path: '/a/./b', want: { status: 400, reason: 'dot-segment' } },
  { name: 'encoded dot dot', path: '/%2e%2e/etc/passwd', want: { status: 400, reason: 'dot-segment' } },
  { name: 'mixed encoded dot dot', path: '/.%2E/x', want: { status: 400, reason: 'dot-segment' } },
  { name: 'encoded slash', path: '/a%2f..%2fb', want: { status: 400, reason: 'encoded-slash' } },
  { name: 'encoded slash upper', path: '/..%2F..%2Fetc', want: { status: 400, reason: 'encoded-slash' } },
  { name: 'encoded backslash', path: '/..%5c..%5cetc', want: { status: 400, reason: 'backslash' } },
  { name: 'raw backslash', path: '/..\\..\\etc', want: { status: 400, reason: 'backslash' } },
  { name: 'encoded NUL', path: '/a%00.txt', want: { status: 400, reason: 'nul' } },
  { name: 'raw NUL', path: '/a\0.txt', want: { status: 400, reason: 'nul' } },
  { name: 'overlong dot', path: '/%c0%ae%c0%ae/etc', want: { status: 400, reason: 'bad-utf8' } },
  { name: 'overlong slash', path: '/a%c0%afb', want: { status: 400, reason: 'bad-utf8' } },
  { name: 'invalid utf-8', path: '/%ff', want: { status: 400, reason: 'bad-utf8' } },
  { name: 'bad percent', path: '/%zz', want: { status: 400, reason: 'bad-percent-encoding' } },
  { name: 'truncated percent', path: '/a%2', want: { status: 400, reason: 'bad-percent-encoding' } },
  { name: 'percent at end', path: '/a%', want: { status: 400, reason: 'bad-percent-encoding' } },
  { name: 'double encoded dot dot is a name', path: '/%252e%252e', want: { segments: ['%2e%2e'] } },
  { name: 'drive letter', path: '/C:/Windows/win.ini', want: { status: 400, reason: 'drive-letter' } },
  { name: 'encoded drive letter', path: '/c%3A%5Cwindows', want: { status: 400, reason: 'backslash' } },
  { name: 'not origin form', path: 'etc/passwd', want: { status: 400, reason: 'not-origin-path' } },
  { name: 'empty', path: '', want: { status: 400, reason: 'not-origin-path' } },
  { name: 'dotfile hidden', path: '/.env', want: { status: 404, reason: 'hidden' } },
  { name: 'dot folder hidden', path: '/.git/config', want: { status: 404, reason: 'hidden' } },
  { name: 'encoded dotfile hidden', path: '/%2eenv', want: { status: 404, reason: 'hidden' } },
  { name: 'dotfile shown when asked', path: '/.env', hidden: true, want: { segments: ['.env'] } },
  { name: 'dot dot still refused with showHidden', path: '/..', hidden: true, want: { status: 400, reason: 'dot-segment' } },
];

for (const c of corpus) {
  test(`resolveSafePath: ${c.name}`, () => {
    const want = c.want;
    if ('status' in want) {
      assert.throws(() => resolveSafePath(ROOT, c.path, { showHidden: c.hidden }), (error: unknown) => {
        assert.ok(error instanceof PathError);
        assert.equal(error.status, want.status);
        assert.equal(error.reason, want.reason);
        assert.equal(error.expose, false);
        return true;
      });
    } else {
      const got = resolveSafePath(ROOT, c.path, { showHidden: c.hidden });
      assert.deepEqual(got.segments, want.segments);
      assert.equal(got.abs, want.segments.length === 0 ? ROOT : [ROOT, ...want.segments].join(sep));
      assert.equal(got.trailingSlash, want.slash ?? false);
      assert.ok(isInside(ROOT, got.abs));
    }
  });
}

test('SafePathMemo: asked twice, every corpus path gives what resolveSafePath gives, refusals included', () => {
  const memos = { shown: new SafePathMemo(ROOT, { showHidden: true }), hidden: new SafePathMemo(ROOT, { showHidden: false }) };
  for (let round = 0; round < 2; round++) {
    for (const c of corpus) {
      const memo = c.hidden === true ? memos.shown : memos.hidden;
      let direct: unknown;
      try {
        direct = resolveSafePath(ROOT, c.path, { showHidden: c.hidden });
      } catch (error) {
        assert.throws(() => memo.resolve(c.path), (e: unknown) => e instanceof PathError && e.reason === (error as PathError).reason, c.name);
        continue;
      }
      assert.deepEqual(memo.resolve(c.path), direct, c.name);
    }
  }
});

test('SafePathMemo: a full memo starts over instead of growing', () => {
  const memo = new SafePathMemo(ROOT, {}, 3);
  for (let i = 0; i < 10; i++) assert.deepEqual(memo.resolve(`/f${i}`).segments, [`f${i}`]);
  assert.ok((memo as unknown as { entries: Map<string, unknown> }).entries.size <= 3);
});

const inside: Array<{ name: string; root: string; abs: string; want: boolean }> = [
  { name: 'same', root: '/srv/www', abs: '/srv/www', want: true },
  { name: 'child', root: '/srv/www', abs: '/srv/www/a', want: true },
  { name: 'sibling with prefix', root: '/srv/www', abs: '/srv/www2/a', want: false },
  { name: 'parent', root: '/srv/www', abs: '/srv', want: false },
  { name: 'root with trailing sep', root: '/srv/www/', abs: '/srv/www/a', want: true },
];
for (const c of inside) test(`isInside: ${c.name}`, () => assert.equal(isInside(c.root, c.abs), c.want));

// Symlinks: a temp tree  base/{root/{a.txt,sub/b.txt,.secret,in-link->a.txt,dir-link->sub,
// out-link->../outside.txt,out-dir->../outdir,hidden-link->.secret,dangling->nope},outside.txt,outdir/}
let base = '';
let root = '';
before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'wirehttp-safe-')));
  root = join(base, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(base, 'outdir'));
  await writeFile(join(root, 'a.txt'), 'a');
  await writeFile(join(root, 'sub', 'b.txt'), 'b');
  await writeFile(join(root, '.secret'), 's');
  await writeFile(join(base, 'outside.txt'), 'o');
  await writeFile(join(base, 'outdir', 'x.txt'), 'x');
  await symlink('a.txt', join(root, 'in-link'));
  await symlink('sub', join(root, 'dir-link'));
  await symlink('../outside.txt', join(root, 'out-link'));
  await symlink('../outdir', join(root, 'out-dir'));
  await symlink('.secret', join(root, 'hidden-link'));
  await symlink('nope', join(root, 'dangling'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const links: Array<{ name: string; path: string; follow?: boolean; want: string | number }> = [
  { name: 'plain file', path: '/a.txt', want: 'a.txt' },
  { name: 'link inside', path: '/in-link', want: 'a.txt' },
  { name: 'dir link inside', path: '/dir-link/b.txt', want: 'sub/b.txt' },
  { name: 'link outside refused', path: '/out-link', want: 403 },
  { name: 'dir link outside refused', path: '/out-dir/x.txt', want: 403 },
  { name: 'link outside followed', path: '/out-link', follow: true, want: '../outside.txt' },
  { name: 'dir link outside followed', path: '/out-dir/x.txt', follow: true, want: '../outdir/x.txt' },
  { name: 'link to hidden file', path: '/hidden-link', want: 404 },
  { name: 'dangling link', path: '/dangling', want: 404 },
  { name: 'missing', path: '/missing.txt', want: 404 },
  { name: 'file as folder', path: '/a.txt/x', want: 404 },
];
for (const c of links) {
  test(`checkRealPath: ${c.name}`, async () => {
    const safe = resolveSafePath(root, c.path);
    const run = checkRealPath(root, safe.abs, { followSymlinks: c.follow });
    if (typeof c.want === 'number') {
      await assert.rejects(run, (error: { status?: number }) => error.status === c.want);
    } else {
      assert.equal(await run, join(root, c.want));
    }
  });
}

// The same table through the synchronous paths the request hot path uses, each path asked twice so
// the second answer comes from VettedPaths' memory.
for (const c of links) {
  test(`checkRealPathSync and VettedPaths: ${c.name}`, () => {
    const safe = resolveSafePath(root, c.path);
    const vetted = new VettedPaths();
    for (const run of [() => checkRealPathSync(root, safe.abs, { followSymlinks: c.follow }), () => vetted.resolve(root, safe.abs, { followSymlinks: c.follow }).real, () => vetted.resolve(root, safe.abs, { followSymlinks: c.follow }).real]) {
      if (typeof c.want === 'number') assert.throws(run, (error: { status?: number }) => error.status === c.want);
      else assert.equal(run(), join(root, c.want));
    }
  });
}

test('VettedPaths: a link retargeted outside the root is refused on the next request', async () => {
  const link = join(root, 'moving-link');
  await symlink('a.txt', link);
  const vetted = new VettedPaths();
  assert.equal(vetted.resolve(root, link).real, join(root, 'a.txt'));
  await rm(link);
  await symlink('../outside.txt', link);
  assert.throws(() => vetted.resolve(root, link), (error: { status?: number }) => error.status === 403);
  await rm(link);
  await symlink('.secret', link);
  assert.throws(() => vetted.resolve(root, link), (error: { status?: number }) => error.status === 404);
  await rm(link);
});
