import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;

// Every subcommand built on node's parseArgs answers a bad flag the same way: one line naming the
// command and its help, exit 2, and nothing started (so no port is taken and no stack is printed).
for (const command of ['serve', 'demo', 'proxy', 'echo', 'timeline']) {
  test(`${command}: an unknown flag is one usage line and exit 2`, () => {
    const r = spawnSync(process.execPath, [BIN, command, '--frobnicate'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `wirehttp: ${command}: Unknown option '--frobnicate' (see wirehttp ${command} --help)\n`);
  });
}

test('serve: a flag that wants a value and gets none says so, exit 2', () => {
  const r = spawnSync(process.execPath, [BIN, 'serve', '--bind'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^wirehttp: serve: Option '-b, --bind <value>' argument missing \(see wirehttp serve --help\)\n$/);
});
