import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signId, unsignId } from './signing.js';

test('unsignId: only the exact signature text is accepted, not another spelling of the same bytes', () => {
  const signed = signId('some-session-id', 'k');
  assert.equal(unsignId(signed, ['k']), 'some-session-id');
  const last = signed.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // the last of 43 characters holds 4 bits: these three decode to the same 32 bytes as the real one
  const sameBytes = [...alphabet].filter((c) => c !== last && Buffer.from(`${signed.slice(signed.indexOf('.') + 1, -1)}${c}`, 'base64url').equals(Buffer.from(signed.slice(signed.indexOf('.') + 1), 'base64url')));
  assert.equal(sameBytes.length, 3);
  for (const c of sameBytes) assert.equal(unsignId(`${signed.slice(0, -1)}${c}`, ['k']), undefined, `spelling ending in ${c}`);
  assert.equal(unsignId(`${signed}=`, ['k']), undefined);
  assert.equal(unsignId('some-session-id.', ['k']), undefined);
});
