import assert from 'node:assert/strict';
import { test } from 'node:test';
import { injectReloadScript, LIVE_RELOAD_SCRIPT, LiveReload } from './live-reload.js';

const S = LIVE_RELOAD_SCRIPT;
const cases: Array<{ name: string; input: string; want: string }> = [
  { name: 'before </body>', input: '<html><body>x</body></html>', want: `<html><body>x${S}</body></html>` },
  { name: 'any case, the last one', input: '<p>"</body>" in text</p></BODY >', want: `<p>"</body>" in text</p>${S}</BODY >` },
  { name: 'no body tag: appended', input: '<h1>fragment</h1>', want: `<h1>fragment</h1>${S}` },
  { name: 'utf-8 kept byte for byte', input: '<body>héllo ✓</body>', want: `<body>héllo ✓${S}</body>` },
];
for (const c of cases) {
  test(`injectReloadScript: ${c.name}`, () => {
    const out = injectReloadScript(Buffer.from(c.input, 'utf8'));
    assert.equal(out.toString('utf8'), c.want);
    assert.equal(out.length, Buffer.byteLength(c.input) + Buffer.byteLength(S));
  });
}

test('LiveReload: changes are debounced into one event; dot segments ignored', async () => {
  const live = new LiveReload('/nonexistent', 20);
  const written: string[] = [];
  const res = { write: (t: string) => written.push(t), drain: () => Promise.resolve(), end: () => {}, setHeader() { return this; }, status() { return this; } };
  void live.handle(res as never);
  live.changedPath('a.html');
  live.changedPath('a.html');
  live.changedPath('css/site.css');
  live.changedPath('.git/index');
  live.changedPath('sub/.swp');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(written.slice(1), ['event: change\ndata: {"paths":["a.html","css/site.css"]}\n\n']);
  live.close();
  assert.equal(live.clientCount, 0);
});
