// Runs every compiled test file with node's test runner.
// Usage: node scripts/run-tests.js [substring...]  (filters files by path substring)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const roots = ['dist/src', 'dist/test', 'dist/examples'].filter((d) => {
  try { return statSync(d).isDirectory(); } catch { return false; }
});
let files = roots.flatMap((r) => walk(r, [])).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files found (did the build run?)');
  process.exit(1);
}
// A test that hangs fails after 10 minutes (the container build, the slowest, takes about 4) instead
// of holding CI until its own limit.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
