// What is on disk when a request is sent is what it gets: the static handler skips the per-request
// stat of an unchanged file (static/dir-watches.ts), so every kind of change is checked here, made
// right before the request with no pause, many times over, against a server in this process and
// against `wirehttp serve` in its own.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from '../../src/server/index.js';
import { createStaticHandler } from '../../src/static/index.js';
import { agent, get, serve } from './serve-harness.js';

after(() => agent.close());

const ROUNDS = 20;

interface Want {
  status: number;
  body?: string;
  includes?: string;
  lastModified?: string;
}

/** Each row changes the tree in round `i` and says what a GET of `path` must answer right after. */
const rows: Array<{ name: string; path: string; change: (dir: string, i: number) => Want }> = [
  {
    name: 'rewritten in place, same length', path: '/same.txt',
    change: (dir, i) => {
      const body = `version ${String(i).padStart(4, '0')}`;
      writeFileSync(join(dir, 'same.txt'), body);
      return { status: 200, body };
    },
  },
  {
    name: 'rewritten with a new length', path: '/grow.txt',
    change: (dir, i) => {
      const body = 'g'.repeat(i + 1);
      writeFileSync(join(dir, 'grow.txt'), body);
      return { status: 200, body };
    },
  },
  {
    name: 'saved by writing a copy and renaming it over', path: '/saved.html',
    change: (dir, i) => {
      const body = `<p>save ${i}</p>`;
      writeFileSync(join(dir, '.saved.tmp'), body);
      renameSync(join(dir, '.saved.tmp'), join(dir, 'saved.html'));
      return { status: 200, body };
    },
  },
  {
    name: 'removed, then put back', path: '/flip.txt',
    change: (dir, i) => {
      if (i % 2 === 0) {
        rmSync(join(dir, 'flip.txt'));
        return { status: 404 };
      }
      writeFileSync(join(dir, 'flip.txt'), `back ${i}`);
      return { status: 200, body: `back ${i}` };
    },
  },
  {
    name: 'a folder on the way renamed away and back', path: '/sub/deep/f.txt',
    change: (dir, i) => {
      if (i % 2 === 0) {
        renameSync(join(dir, 'sub'), join(dir, 'sub-away'));
        return { status: 404 };
      }
      renameSync(join(dir, 'sub-away'), join(dir, 'sub'));
      return { status: 200, body: 'deep' };
    },
  },
  {
    name: "a folder's index.html added and removed", path: '/idx/',
    change: (dir, i) => {
      if (i % 2 === 0) {
        writeFileSync(join(dir, 'idx', 'index.html'), `<h1>index ${i}</h1>`);
        return { status: 200, body: `<h1>index ${i}</h1>` };
      }
      rmSync(join(dir, 'idx', 'index.html'));
      return { status: 200, includes: 'other.txt' }; // the listing again
    },
  },
  {
    name: 'touched (new modification time, same bytes)', path: '/touched.txt',
    change: (dir, i) => {
      const when = new Date(Date.UTC(2020, 0, 1, 0, 0, i));
      utimesSync(join(dir, 'touched.txt'), when, when);
      return { status: 200, body: 'same bytes', lastModified: when.toUTCString() };
    },
  },
];

function makeTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-fresh-'));
  mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
  mkdirSync(join(dir, 'idx'));
  const files: Record<string, string> = {
    'same.txt': 'version 0000', 'grow.txt': '', 'saved.html': '<p>first</p>', 'flip.txt': 'first',
    'sub/deep/f.txt': 'deep', 'idx/other.txt': 'o', 'touched.txt': 'same bytes',
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

const servers: Array<{ name: string; start: (dir: string) => Promise<{ base: string; stop: () => Promise<unknown> }> }> = [
  {
    name: 'in process',
    start: async (dir) => {
      const server = createServer(createStaticHandler({ root: dir }));
      const { port } = await server.listen(0, '127.0.0.1');
      return { base: `http://127.0.0.1:${port}`, stop: () => server.close(100) };
    },
  },
  { name: 'wirehttp serve', start: (dir) => serve(dir, ['--quiet']) },
];

for (const s of servers) {
  describe(`fresh answers after changes on disk (${s.name})`, () => {
    let dir: string;
    let server: { base: string; stop: () => Promise<unknown> };
    before(async () => {
      dir = makeTree();
      server = await s.start(dir);
    });
    after(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const row of rows) {
      test(row.name, async () => {
        // twice first, so the path is remembered and its stat trusted before the changes begin
        for (let warm = 0; warm < 2; warm++) await get(server.base + row.path);
        for (let i = 0; i < ROUNDS; i++) {
          const want = row.change(dir, i);
          const got = await get(server.base + row.path);
          const where = `round ${i}`;
          assert.equal(got.status, want.status, where);
          if (want.body !== undefined) assert.equal(got.body.toString(), want.body, where);
          if (want.includes !== undefined) assert.ok(got.body.toString().includes(want.includes), where);
          if (want.lastModified !== undefined) assert.equal(got.headers['last-modified'], want.lastModified, where);
        }
      });
    }
  });
}
