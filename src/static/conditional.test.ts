import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeaderList } from '../wire/headers.js';
import { evaluatePreconditions, ifRangeAllows, makeEtag, parseEtagList, type Precondition, type Validators } from './conditional.js';

const MTIME = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
const V: Validators = { etag: '"abc"', lastModifiedSec: MTIME };
const DATE = new Date(MTIME * 1000).toUTCString();
const BEFORE = new Date((MTIME - 60) * 1000).toUTCString();
const AFTER = new Date((MTIME + 60) * 1000).toUTCString();
const h = (...raw: string[]) => new HeaderList(raw);

const cases: Array<{ name: string; method?: string; headers: HeaderList; v?: Validators | null; want: Precondition }> = [
  { name: 'no conditions', headers: h(), want: 'proceed' },
  { name: 'If-None-Match match -> 304', headers: h('If-None-Match', '"abc"'), want: 'not-modified' },
  { name: 'If-None-Match weak match -> 304', headers: h('If-None-Match', 'W/"abc"'), want: 'not-modified' },
  { name: 'If-None-Match in list', headers: h('If-None-Match', '"x", "abc"'), want: 'not-modified' },
  { name: 'If-None-Match across field lines', headers: h('If-None-Match', '"x"', 'If-None-Match', '"abc"'), want: 'not-modified' },
  { name: 'If-None-Match tag with comma', headers: h('If-None-Match', '"a,b", "abc"'), want: 'not-modified' },
  { name: 'If-None-Match other', headers: h('If-None-Match', '"zzz"'), want: 'proceed' },
  { name: 'If-None-Match star', headers: h('If-None-Match', '*'), want: 'not-modified' },
  { name: 'If-None-Match star, no representation', headers: h('If-None-Match', '*'), v: null, want: 'proceed' },
  { name: 'If-None-Match on PUT -> 412', method: 'PUT', headers: h('If-None-Match', '*'), want: 'precondition-failed' },
  { name: 'If-None-Match malformed ignored', headers: h('If-None-Match', 'abc'), want: 'proceed' },
  { name: 'If-Modified-Since same -> 304', headers: h('If-Modified-Since', DATE), want: 'not-modified' },
  { name: 'If-Modified-Since later -> 304', headers: h('If-Modified-Since', AFTER), want: 'not-modified' },
  { name: 'If-Modified-Since earlier -> 200', headers: h('If-Modified-Since', BEFORE), want: 'proceed' },
  { name: 'If-Modified-Since invalid ignored', headers: h('If-Modified-Since', 'yesterday'), want: 'proceed' },
  { name: 'If-Modified-Since ignored on POST', method: 'POST', headers: h('If-Modified-Since', AFTER), want: 'proceed' },
  { name: 'If-None-Match wins over If-Modified-Since', headers: h('If-None-Match', '"zzz"', 'If-Modified-Since', AFTER), want: 'proceed' },
  { name: 'If-Match strong match', headers: h('If-Match', '"abc"'), want: 'proceed' },
  { name: 'If-Match weak tag never matches', headers: h('If-Match', 'W/"abc"'), want: 'precondition-failed' },
  { name: 'If-Match mismatch -> 412', headers: h('If-Match', '"zzz"'), want: 'precondition-failed' },
  { name: 'If-Match star', headers: h('If-Match', '*'), want: 'proceed' },
  { name: 'If-Match star, no representation', headers: h('If-Match', '*'), v: null, want: 'precondition-failed' },
  { name: 'If-Match malformed fails closed', headers: h('If-Match', 'abc'), want: 'precondition-failed' },
  { name: 'If-Unmodified-Since earlier -> 412', headers: h('If-Unmodified-Since', BEFORE), want: 'precondition-failed' },
  { name: 'If-Unmodified-Since same', headers: h('If-Unmodified-Since', DATE), want: 'proceed' },
  { name: 'If-Unmodified-Since invalid ignored', headers: h('If-Unmodified-Since', 'nope'), want: 'proceed' },
  { name: 'If-Match wins over If-Unmodified-Since', headers: h('If-Match', '"abc"', 'If-Unmodified-Since', BEFORE), want: 'proceed' },
  { name: '412 before 304 (step order)', headers: h('If-Match', '"zzz"', 'If-None-Match', '"abc"'), want: 'precondition-failed' },
  { name: 'If-Match ok then If-None-Match 304', headers: h('If-Match', '"abc"', 'If-None-Match', '"abc"'), want: 'not-modified' },
  { name: 'HEAD gets 304 too', method: 'HEAD', headers: h('If-None-Match', '"abc"'), want: 'not-modified' },
];

for (const c of cases) {
  test(`evaluatePreconditions: ${c.name}`, () => {
    const v = c.v === null ? undefined : (c.v ?? V);
    assert.equal(evaluatePreconditions(c.method ?? 'GET', c.headers, v), c.want);
  });
}

const ifRange: Array<{ name: string; headers: HeaderList; want: boolean }> = [
  { name: 'absent', headers: h(), want: true },
  { name: 'strong match', headers: h('If-Range', '"abc"'), want: true },
  { name: 'other tag', headers: h('If-Range', '"zzz"'), want: false },
  { name: 'weak tag never', headers: h('If-Range', 'W/"abc"'), want: false },
  { name: 'exact date', headers: h('If-Range', DATE), want: true },
  { name: 'later date is not exact', headers: h('If-Range', AFTER), want: false },
  { name: 'garbage', headers: h('If-Range', 'whenever'), want: false },
];
for (const c of ifRange) test(`ifRangeAllows: ${c.name}`, () => assert.equal(ifRangeAllows(c.headers, V), c.want));

const lists: Array<{ name: string; value: string; want: ReturnType<typeof parseEtagList> }> = [
  { name: 'star', value: ' * ', want: '*' },
  { name: 'one', value: '"a"', want: [{ weak: false, opaque: '"a"' }] },
  { name: 'weak and strong', value: 'W/"a" ,"b"', want: [{ weak: true, opaque: '"a"' }, { weak: false, opaque: '"b"' }] },
  { name: 'empty quoted', value: '""', want: [{ weak: false, opaque: '""' }] },
  { name: 'unquoted', value: 'a', want: undefined },
  { name: 'unterminated', value: '"a', want: undefined },
  { name: 'junk after tag', value: '"a"b', want: undefined },
  { name: 'empty', value: '', want: undefined },
];
for (const c of lists) test(`parseEtagList: ${c.name}`, () => assert.deepEqual(parseEtagList(c.value), c.want));

test('makeEtag: variants differ and are strong', () => {
  const plain = makeEtag(31, 1700000000123);
  assert.equal(plain, '"1f-18bcfe5687b"');
  assert.equal(makeEtag(31, 1700000000123, 'identity'), plain);
  assert.equal(makeEtag(31, 1700000000123, 'br'), '"1f-18bcfe5687b-br"');
});
