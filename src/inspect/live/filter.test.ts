import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matches, parseFilter, type FilterRow } from './filter.js';

const parses: Array<{ name: string; input: string; want: ReturnType<typeof parseFilter> }> = [
  { name: 'empty', input: '   ', want: [] },
  { name: 'fields', input: 'method:POST status:404 path:/X', want: [
    { field: 'method', value: 'post', negate: false }, { field: 'status', value: '404', negate: false }, { field: 'path', value: '/x', negate: false },
  ] },
  { name: 'short names', input: 'm:get s:2xx p:/a c:127', want: [
    { field: 'method', value: 'get', negate: false }, { field: 'status', value: '2xx', negate: false }, { field: 'path', value: '/a', negate: false }, { field: 'client', value: '127', negate: false },
  ] },
  { name: 'free text and negation', input: 'ETag -status:200', want: [{ field: 'text', value: 'etag', negate: false }, { field: 'status', value: '200', negate: true }] },
  { name: 'quotes keep spaces', input: '"accept: text/html" path:"/a b"', want: [{ field: 'text', value: 'accept: text/html', negate: false }, { field: 'path', value: '/a b', negate: false }] },
  { name: 'unknown field is text', input: 'range:bytes', want: [{ field: 'text', value: 'range:bytes', negate: false }] },
  { name: 'field without value is text', input: 'status:', want: [{ field: 'text', value: 'status:', negate: false }] },
  { name: 'lone dash is text', input: '- x', want: [{ field: 'text', value: '-', negate: false }, { field: 'text', value: 'x', negate: false }] },
];

for (const c of parses) {
  test(`parseFilter: ${c.name}`, () => assert.deepEqual(parseFilter(c.input), c.want));
}

const row = (method: string, target: string, status: number | null, text = ''): FilterRow => ({ method, target, status, client: '127.0.0.1:5000', text: text.toLowerCase() });
const get404 = row('GET', '/missing?q=1', 404, 'GET /missing?q=1 HTTP/1.1\r\nHost: lab\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n');
const post201 = row('POST', '/api/Items', 201, 'POST /api/Items HTTP/1.1\r\nContent-Type: application/json\r\n\r\n');
const pending = row('GET', '/slow', null);

const matching: Array<{ name: string; filter: string; row: FilterRow; want: boolean }> = [
  { name: 'empty matches all', filter: '', row: pending, want: true },
  { name: 'method case-insensitive', filter: 'method:post', row: post201, want: true },
  { name: 'method other', filter: 'method:POST', row: get404, want: false },
  { name: 'method alternatives', filter: 'method:PUT,GET', row: get404, want: true },
  { name: 'status exact', filter: 'status:404', row: get404, want: true },
  { name: 'status wildcard', filter: 'status:4xx', row: get404, want: true },
  { name: 'status wildcard miss', filter: 'status:2xx', row: get404, want: false },
  { name: 'status partial is no prefix match', filter: 'status:40', row: get404, want: false },
  { name: 'status pending matches no status term', filter: 'status:xxx', row: pending, want: false },
  { name: 'negated status on pending', filter: '-status:200', row: pending, want: true },
  { name: 'path substring case-insensitive', filter: 'path:/api/items', row: post201, want: true },
  { name: 'path includes the query', filter: 'path:q=1', row: get404, want: true },
  { name: 'client', filter: 'client:127.0.0.1', row: get404, want: true },
  { name: 'text in a header', filter: 'application/json', row: post201, want: true },
  { name: 'text phrase across name and value', filter: '"content-type: application"', row: post201, want: true },
  { name: 'text absent', filter: 'etag', row: post201, want: false },
  { name: 'all terms must hold', filter: 'method:GET status:404 path:/missing host:', row: get404, want: true },
  { name: 'one failing term fails', filter: 'method:GET status:200', row: get404, want: false },
  { name: 'negated text', filter: '-json', row: post201, want: false },
];

for (const c of matching) {
  test(`matches: ${c.name}`, () => assert.equal(matches(parseFilter(c.filter), c.row), c.want));
}
