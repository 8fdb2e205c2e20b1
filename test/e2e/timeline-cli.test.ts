import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wirehttp-timeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry = (connection: string, at: string, target: string) => ({
  startedDateTime: at, time: 10, connection,
  request: { method: 'GET', url: `http://lab${target}` }, response: { status: 200 },
  timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: 9, receive: 1, ssl: -1 },
});
const files: Record<string, string> = {
  'pipelined.har': JSON.stringify({ log: { version: '1.2', entries: [entry('4', '2026-01-01T00:00:00.000Z', '/a'), entry('4', '2026-01-01T00:00:00.000Z', '/b')] } }),
  'not-har.json': '{"hello": 1}',
  'broken.har': '{"log":',
  'no-timings.har': JSON.stringify({ log: { entries: [{ startedDateTime: '2026-01-01T00:00:00.000Z', request: { method: 'GET', url: '/' }, response: { status: 200 } }] } }),
  'bad-date.har': JSON.stringify({ log: { entries: [{ ...entry('1', 'soon', '/') }] } }),
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

const cases: Array<{ name: string; args: string[]; code: number; stdout?: RegExp; stderr?: RegExp; file?: string }> = [
  { name: 'SVG on stdout', args: ['pipelined.har'], code: 0, stdout: /^<svg [^]*>pipelined<\/text>[^]*<\/svg>\n$/ },
  { name: '-o writes the file, --title is the heading', args: ['pipelined.har', '-o', 'out.svg', '--title', 'Lab 2'], code: 0, file: 'out.svg' },
  { name: '--help', args: ['--help'], code: 0, stdout: /^Usage: wirehttp timeline FILE\.har/ },
  { name: 'no file is a usage error', args: [], code: 2, stderr: /^wirehttp: timeline: give one HAR file/ },
  { name: 'an unknown option is a usage error', args: ['--width', '3', 'pipelined.har'], code: 2, stderr: /^wirehttp: timeline: / },
  { name: 'a missing file', args: ['missing.har'], code: 1, stderr: /^wirehttp: timeline: cannot read missing\.har: ENOENT\n$/ },
  { name: 'not JSON', args: ['broken.har'], code: 1, stderr: /^wirehttp: timeline: cannot read broken\.har: not JSON\n$/ },
  { name: 'JSON but not HAR', args: ['not-har.json'], code: 1, stderr: /not a HAR file \(no log\.entries\)\n$/ },
  { name: 'an entry without timings', args: ['no-timings.har'], code: 1, stderr: /entry 0 lacks startedDateTime, timings, request or response\n$/ },
  { name: 'an entry with a date that is not one', args: ['bad-date.har'], code: 1, stderr: /^wirehttp: timeline: bad-date\.har: entry 0: startedDateTime 'soon' is not a date\n$/ },
  { name: 'an output that cannot be written', args: ['pipelined.har', '-o', 'no/such/dir.svg'], code: 1, stderr: /cannot write no\/such\/dir\.svg: ENOENT\n$/ },
];

for (const c of cases) {
  test(`wirehttp timeline: ${c.name}`, () => {
    const r = spawnSync(process.execPath, [BIN, 'timeline', ...c.args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, c.code, r.stderr);
    if (c.stdout !== undefined) assert.match(r.stdout, c.stdout);
    if (c.stderr !== undefined) assert.match(r.stderr, c.stderr);
    if (c.code !== 0) assert.equal(r.stdout, '');
    if (c.file !== undefined) {
      const svg = readFileSync(join(dir, c.file), 'utf8');
      assert.match(svg, />Lab 2<\/text>/);
      assert.match(svg, />pipelined\.har: 1 connection, 2 exchanges<\/text>/);
    }
  });
}
