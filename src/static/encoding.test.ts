import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCompressible, negotiateEncoding, type Coding } from './encoding.js';

const ALL: Coding[] = ['br', 'gzip'];
const cases: Array<{ name: string; header: string | undefined; available?: Coding[]; want: Coding }> = [
  { name: 'absent -> identity', header: undefined, want: 'identity' },
  { name: 'empty -> identity', header: '', want: 'identity' },
  { name: 'gzip only', header: 'gzip', want: 'gzip' },
  { name: 'browser default prefers br', header: 'gzip, deflate, br, zstd', want: 'br' },
  { name: 'br unavailable', header: 'gzip, br', available: ['gzip'], want: 'gzip' },
  { name: 'nothing available', header: 'gzip, br', available: [], want: 'identity' },
  { name: 'q-values decide', header: 'br;q=0.5, gzip;q=0.8', want: 'gzip' },
  { name: 'q with spaces', header: 'br ; q=0.5 , gzip ; q=0.9', want: 'gzip' },
  { name: 'q=0 excludes', header: 'br;q=0, gzip', want: 'gzip' },
  { name: 'all excluded -> identity', header: 'br;q=0, gzip;q=0', want: 'identity' },
  { name: 'star gives br', header: '*', want: 'br' },
  { name: 'star with br excluded', header: '*, br;q=0', want: 'gzip' },
  { name: 'star q=0 and identity listed', header: '*;q=0, identity', want: 'identity' },
  { name: 'identity preferred by q', header: 'identity;q=1, gzip;q=0.5', want: 'identity' },
  { name: 'x-gzip alias', header: 'x-gzip', want: 'gzip' },
  { name: 'case-insensitive', header: 'GZIP', want: 'gzip' },
  { name: 'invalid q dropped', header: 'br;q=2, gzip', want: 'gzip' },
  { name: 'q too precise dropped', header: 'br;q=0.1234, gzip;q=0.1', want: 'gzip' },
  { name: 'unknown codings only', header: 'deflate, compress', want: 'identity' },
];
for (const c of cases) {
  test(`negotiateEncoding: ${c.name}`, () => assert.equal(negotiateEncoding(c.header, c.available ?? ALL), c.want));
}

const types: Array<{ type: string; want: boolean }> = [
  { type: 'text/html; charset=utf-8', want: true },
  { type: 'text/css', want: true },
  { type: 'application/javascript; charset=utf-8', want: true },
  { type: 'application/json', want: true },
  { type: 'application/ld+json', want: true },
  { type: 'image/svg+xml', want: true },
  { type: 'application/wasm', want: true },
  { type: 'image/png', want: false },
  { type: 'video/mp4', want: false },
  { type: 'application/zip', want: false },
  { type: 'application/octet-stream', want: false },
];
for (const c of types) test(`isCompressible: ${c.type}`, () => assert.equal(isCompressible(c.type), c.want));
