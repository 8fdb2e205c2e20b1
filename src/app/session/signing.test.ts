import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSessionId, signId, unsignId } from './signing.js';

test('signing: a signed id verifies with its secret and with a list that contains it', () => {
  const id = newSessionId();
  assert.match(id, /^[\w-]{32}$/);
  const value = signId(id, 'one');
  assert.equal(unsignId(value, ['one']), id);
  assert.equal(unsignId(value, ['new', 'one']), id, 'an old secret still accepted during rotation');
});

const cases: Array<{ name: string; value: (good: string, id: string) => string }> = [
  { name: 'unsigned id', value: (_g, id) => id },
  { name: 'empty signature', value: (_g, id) => `${id}.` },
  { name: 'signature of another id', value: (g, id) => `x${id.slice(1)}${g.slice(g.indexOf('.'))}` },
  { name: 'one character of the signature changed', value: (g) => g.slice(0, -2) + (g.at(-2) === 'A' ? 'B' : 'A') + g.at(-1) },
  { name: 'truncated signature', value: (g) => g.slice(0, -4) },
  { name: 'signed with another secret', value: (_g, id) => signId(id, 'other') },
  { name: 'empty', value: () => '' },
  { name: 'only a dot', value: () => '.' },
];
for (const c of cases) {
  test(`signing: refused: ${c.name}`, () => {
    const id = newSessionId();
    assert.equal(unsignId(c.value(signId(id, 'one'), id), ['one']), undefined);
  });
}

test('signing: ids are unique', () => {
  const seen = new Set(Array.from({ length: 1000 }, newSessionId));
  assert.equal(seen.size, 1000);
});
