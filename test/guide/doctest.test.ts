import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchOutput, matchPrefix, parseChapter, substitutePorts } from './doctest.js';

test('parseChapter: steps, continuation, exit codes, background, directives and skipped blocks', () => {
  const md = [
    '<!-- doctest: ports 8000 5000 -->',
    '<!-- doctest: needs tshark "apt-get install -y tshark" -->',
    '# Title',
    '```console',
    '$ wirehttp serve 8000 &',
    'Serving …',
    '$ printf "a\\n" \\',
    '  | wc -l',
    '1',
    '',
    '$ false',
    '[exit 1]',
    '```',
    '<!-- doctest: skip -->',
    '```console',
    '$ chromium',
    '```',
    '```js',
    '$ not a step',
    '```',
  ].join('\n');
  const ch = parseChapter(md);
  assert.deepEqual(ch.ports, [8000, 5000]);
  assert.deepEqual(ch.needs, [{ command: 'tshark', install: 'apt-get install -y tshark' }]);
  assert.deepEqual(
    ch.steps.map((s) => [s.command, s.expected, s.exitCode, s.background, s.line]),
    [
      ['wirehttp serve 8000', ['Serving …'], 0, true, 5],
      ['printf "a\\n" \\\n  | wc -l', ['1'], 0, false, 7],
      ['false', [], 1, false, 11],
    ],
  );
  assert.throws(() => parseChapter('```console\noutput first\n```'), /output before any/);
  assert.throws(() => parseChapter('<!-- doctest: frobnicate -->'), /unknown doctest directive/);
});

test('matchOutput: exact lines, … within a line, ... across lines, trailing blanks', () => {
  const cases: Array<[string[], string[], boolean]> = [
    [['a', 'b'], ['a', 'b'], true],
    [['a', 'b'], ['a', 'c'], false],
    [['a'], ['a', 'b'], false],
    [['Date: …'], ['Date: Tue, 24 Nov 2026 18:00:00 GMT'], true],
    [['x … y'], ['x 1 2 3 y'], true],
    [['x … y'], ['x 1 2 3 z'], false],
    [['a.c'], ['abc'], false],
    [['a', '...', 'z'], ['a', 'z'], true],
    [['a', '...', 'z'], ['a', 'b', 'c', 'z'], true],
    [['a', '...', 'z'], ['a', 'b', 'c'], false],
    [['a'], ['a', '', ''], true],
    [['a  '], ['a'], true],
  ];
  for (const [expected, actual, ok] of cases) assert.equal(matchOutput(expected, actual), ok, JSON.stringify([expected, actual]));
  assert.equal(matchPrefix(['Serving …'], ['Serving x', 'GET / 200']), true);
  assert.equal(matchPrefix(['Serving …'], []), false);
});

test('substitutePorts: whole numbers only, not inside addresses or longer numbers', () => {
  const ports = new Map([[8000, 41234]]);
  assert.equal(substitutePorts('http://127.0.0.1:8000/ 18000 80001 8000', ports), 'http://127.0.0.1:41234/ 18000 80001 41234');
  assert.equal(substitutePorts('10.0.8000.1', ports), '10.0.8000.1');
});
