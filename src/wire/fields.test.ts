import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newFacts, resetFacts, type FramingFacts } from './fields.js';

test('resetFacts clears every framing fact a message can set, back to what newFacts gives', () => {
  const facts = newFacts();
  const dirty: FramingFacts = {
    hostCount: 2, contentLength: 5, codings: ['gzip', 'chunked'], hasTransferEncoding: true, connectionClose: true,
    connectionKeepAlive: true, connectionUpgrade: true, hasUpgrade: true, hasExpect: true, expectContinue: true,
  };
  Object.assign(facts, dirty);
  // a fact added to FramingFacts (and so to newFacts) but not to resetFacts shows up here
  for (const key of Object.keys(newFacts())) assert.notDeepEqual(facts[key as keyof FramingFacts], newFacts()[key as keyof FramingFacts], `test sets ${key}`);
  resetFacts(facts);
  assert.deepEqual(facts, newFacts());
});
