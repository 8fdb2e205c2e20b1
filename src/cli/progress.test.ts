import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBar, clock, formatBytes } from './progress.js';

/** sink records what the bar writes, with a fixed terminal width. */
function sink(columns = 80): { writes: string[]; write: (t: string) => void; columns: number } {
  const writes: string[] = [];
  return { writes, write: (t) => void writes.push(t), columns };
}

test('formatBytes and clock render binary units and m:ss / h:mm:ss', () => {
  const bytes: Array<[number, string]> = [[0, '0 B'], [1023, '1023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'], [12 * 1024 * 1024, '12.0 MiB'], [3 * 1024 ** 3, '3.0 GiB']];
  for (const [n, want] of bytes) assert.equal(formatBytes(n), want, String(n));
  const clocks: Array<[number, string]> = [[0, '0:00'], [59.4, '0:59'], [61, '1:01'], [3600, '1:00:00'], [3723, '1:02:03'], [Infinity, '--:--'], [-1, '--:--'], [NaN, '--:--']];
  for (const [s, want] of clocks) assert.equal(clock(s), want, String(s));
});

test('known size: percentage, bar, bytes, rate and ETA in a fixed layout', () => {
  const out = sink(80);
  const bar = new ProgressBar(out, 1024 * 1024, { now: 0 });
  assert.equal(bar.line(1000), `  0% [${' '.repeat(30)}]       0 B       0 B/s  ETA --:--`);
  bar.update(256 * 1024, 1000);
  // 25% of a 30-wide bar: 8 cells (7 '=' and the head '>'); 256 KiB in 1 s; 768 KiB left at 256 KiB/s.
  assert.equal(bar.line(1000), ` 25% [=======>${' '.repeat(22)}] 256.0 KiB 256.0 KiB/s  ETA 0:03`);
  bar.update(768 * 1024, 2000);
  assert.equal(bar.line(2000), `100% [${'='.repeat(29)}>]   1.0 MiB 512.0 KiB/s  ETA 0:00`);
});

test('width follows the terminal: 40 cells at most, 10 at least', () => {
  const cells = (columns: number): number => {
    const line = new ProgressBar(sink(columns), 100, { now: 0 }).line(1000);
    return line.indexOf(']') - line.indexOf('[') - 1;
  };
  assert.deepEqual([cells(200), cells(80), cells(55), cells(20)], [40, 30, 10, 10]);
});

test('unknown size: a bouncing <=> marker instead of a percentage, no ETA', () => {
  const bar = new ProgressBar(sink(80), undefined, { now: 0 });
  bar.update(2048, 500);
  const line = bar.line(500);
  assert.match(line, /^ {5}\[ *<=> *\] +2\.0 KiB +4\.0 KiB\/s {2}ETA --:--$/);
  assert.equal(line.indexOf('<=>'), '     ['.length + 2); // 0.5 s * 4 positions/s
});

test('redraws at most every intervalMs with CR, finish ends the line', () => {
  const out = sink(80);
  const bar = new ProgressBar(out, 100, { now: 0, intervalMs: 100 });
  bar.update(10, 100);
  bar.update(10, 150); // within the interval: no redraw
  bar.update(10, 200);
  assert.equal(out.writes.length, 2);
  assert.ok(out.writes.every((w) => w.startsWith('\r') && !w.includes('\n')));
  assert.match(out.writes[1]!, /^\r 30% /);
  bar.finish(300);
  assert.equal(out.writes.length, 4);
  assert.match(out.writes[2]!, /^\r 30% /);
  assert.equal(out.writes[3], '\n');
  const once = sink();
  new ProgressBar(once, 100, { now: 0 }).finish(0);
  assert.deepEqual(once.writes, [`\r  0% [${' '.repeat(30)}]       0 B       0 B/s  ETA --:--`, '\n']);
});
