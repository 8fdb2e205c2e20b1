import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadAssets } from './assets.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

test('loadAssets: the page, its script and style, and the two compiled modules it imports', () => {
  const assets = loadAssets();
  assert.deepEqual([...assets.keys()].sort(), ['/', '/app.js', '/filter.js', '/hexdump.js', '/style.css']);
  const html = assets.get('/')!.body.toString();
  for (const ref of ['/app.js', '/style.css']) assert.ok(html.includes(`"${ref}"`), `index.html loads ${ref}`);
  const app = assets.get('/app.js')!.body.toString();
  assert.match(app, /from '\.\/filter\.js'/);
  assert.match(app, /from '\.\/hexdump\.js'/);
  // the compiled modules are browser-ready: no imports of their own, no node APIs, no source map line
  for (const path of ['/filter.js', '/hexdump.js']) {
    const js = assets.get(path)!.body.toString();
    assert.doesNotMatch(js, /^\s*import\s/m, `${path} imports nothing`);
    assert.doesNotMatch(js, /\b(require|process|Buffer)\b/, `${path} uses no node API`);
    assert.doesNotMatch(js, /sourceMappingURL/);
    assert.match(js, /^export function/m);
  }
});

test('the npm package ships the page files and the compiled modules', { timeout: 20_000 }, () => {
  const out = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
  assert.equal(out.status, 0, out.stderr);
  const files = new Set((JSON.parse(out.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const f of ['src/inspect/live/assets/index.html', 'src/inspect/live/assets/app.js', 'src/inspect/live/assets/style.css', 'dist/src/inspect/live/filter.js', 'dist/src/inspect/hexdump.js', 'dist/src/inspect/live/assets.js']) {
    assert.ok(files.has(f), `${f} is in the package`);
  }
});
