import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectUsage, takeInspectArgs } from './inspect-options.js';
import { CliError } from './output.js';

const cases: Array<{ name: string; command?: string; argv: string[]; rest?: string[]; inspect?: number; buffer?: number; code?: number; says?: RegExp }> = [
  { name: '--inspect alone is a free port', argv: ['8000', '--inspect'], rest: ['8000'], inspect: 0 },
  { name: '--inspect=PORT', argv: ['--inspect=9229', '-q'], rest: ['-q'], inspect: 9229 },
  { name: 'a port after a space stays the command\'s', argv: ['--inspect', '8080'], rest: ['8080'], inspect: 0 },
  { name: '--inspect-buffer N', argv: ['--inspect', '--inspect-buffer', '500'], rest: [], inspect: 0, buffer: 500 },
  { name: '--inspect-buffer=N', argv: ['--inspect-buffer=20000', '--inspect'], rest: [], inspect: 0, buffer: 20_000 },
  { name: 'after -- nothing is taken', argv: ['--', '--inspect'], rest: ['--', '--inspect'] },
  { name: 'bad port', argv: ['--inspect=http'], code: 2, says: /--inspect takes no value or =PORT/ },
  { name: 'port too large', argv: ['--inspect=70000'], code: 2, says: /0-65535/ },
  { name: 'empty port', argv: ['--inspect='], code: 2, says: /got ''/ },
  { name: 'buffer zero', argv: ['--inspect', '--inspect-buffer', '0'], code: 2, says: /from 1 to 1000000/ },
  { name: 'buffer missing', argv: ['--inspect', '--inspect-buffer'], code: 2, says: /--inspect-buffer takes/ },
  { name: 'buffer without the page', argv: ['--inspect-buffer=10'], code: 2, says: /add --inspect/ },
  { name: 'request has no page', command: 'request', argv: ['--inspect', 'http://x/'], code: 2, says: /--inspect is for serve, demo and proxy/ },
];

for (const c of cases) {
  test(`takeInspectArgs: ${c.name}`, () => {
    const run = (): ReturnType<typeof takeInspectArgs> => takeInspectArgs(c.command ?? 'serve', c.argv);
    if (c.code !== undefined) {
      assert.throws(run, (e: unknown) => e instanceof CliError && e.exitCode === c.code && c.says!.test(e.message));
      return;
    }
    const { argv, inspect } = run();
    assert.deepEqual(argv, c.rest);
    assert.equal(inspect.inspect, c.inspect);
    assert.equal(inspect.inspectBuffer, c.buffer);
  });
}

test('inspectUsage: the page flags for serve, demo and proxy, not for request', () => {
  for (const command of ['serve', 'demo', 'proxy']) assert.match(inspectUsage(command), /--inspect\[=PORT\][\s\S]*--inspect-buffer N/);
  assert.doesNotMatch(inspectUsage('request'), /--inspect/);
});
