import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTypeFor } from './mime.js';

const cases: Array<{ file: string; want: string }> = [
  { file: 'index.html', want: 'text/html; charset=utf-8' },
  { file: 'INDEX.HTM', want: 'text/html; charset=utf-8' },
  { file: 'style.css', want: 'text/css; charset=utf-8' },
  { file: 'app.js', want: 'text/javascript; charset=utf-8' },
  { file: 'mod.mjs', want: 'text/javascript; charset=utf-8' },
  { file: 'data.json', want: 'application/json; charset=utf-8' },
  { file: 'lib.wasm', want: 'application/wasm' },
  { file: 'readme.txt', want: 'text/plain; charset=utf-8' },
  { file: 'notes.md', want: 'text/markdown; charset=utf-8' },
  { file: 'main.ts', want: 'text/plain; charset=utf-8' },
  { file: 'logo.svg', want: 'image/svg+xml; charset=utf-8' },
  { file: 'photo.png', want: 'image/png' },
  { file: 'clip.mp4', want: 'video/mp4' },
  { file: 'archive.tar.gz', want: 'application/gzip' },
  { file: 'Makefile', want: 'application/octet-stream' },
  { file: 'x.unknownext', want: 'application/octet-stream' },
];
for (const c of cases) test(`contentTypeFor: ${c.file}`, () => assert.equal(contentTypeFor(c.file), c.want));
