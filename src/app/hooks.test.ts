import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from './app.js';
import { serve } from './harness.test-util.js';
import { html, text } from './response.js';

test('hooks run in the documented order; before may short-circuit; after may change or replace', async () => {
  const log: string[] = [];
  const app = new App();
  app.before((req) => void log.push(`before1 ${req.path}`));
  app.before((req) => {
    log.push('before2');
    if (req.args.has('deny')) return text('denied', 403);
  });
  app.after((req, res) => {
    log.push(`after1 ${res.statusCode}`);
    res.header('X-After', '1');
  });
  app.after((req) => {
    log.push('after2');
    if (req.args.has('swap')) return html('swapped', 202);
  });
  app.onError((e) => void log.push(`onError ${(e as Error).message}`));
  app.get('/', () => {
    log.push('handler');
    return 'ok';
  });
  app.get('/fail', () => {
    log.push('handler');
    throw new Error('bad');
  });
  const s = await serve(app);
  try {
    const r = await s.fetch('/');
    assert.equal(r.header('x-after'), '1');
    assert.deepEqual(log.splice(0), ['before1 /', 'before2', 'handler', 'after1 200', 'after2']);

    const denied = await s.fetch('/?deny');
    assert.equal(denied.status, 403);
    assert.deepEqual(log.splice(0), ['before1 /', 'before2', 'after1 403', 'after2']);

    const swapped = await s.fetch('/?swap');
    assert.equal(swapped.status, 202);
    assert.equal(swapped.body, 'swapped');
    assert.equal(swapped.header('x-after'), undefined);
    log.splice(0);

    const failed = await s.fetch('/fail');
    assert.equal(failed.status, 500);
    assert.equal(failed.header('x-after'), '1', 'after hooks run for error responses too');
    assert.deepEqual(log.splice(0), ['before1 /fail', 'before2', 'handler', 'onError bad', 'after1 500', 'after2']);

    const missing = await s.fetch('/missing');
    assert.equal(missing.status, 404);
    assert.deepEqual(log.splice(0), ['before1 /missing', 'before2', 'onError Not Found', 'after1 404', 'after2']);
  } finally {
    await s.close();
  }
});

test('dev mode shows the stack of a 500; production never does', async () => {
  for (const dev of [true, false]) {
    const app = new App({ dev });
    app.get('/', () => {
      throw new Error('kaboom detail');
    });
    const s = await serve(app);
    const r = await s.fetch('/');
    assert.equal(r.status, 500);
    if (dev) assert.match(r.body, /kaboom detail[\s\S]*at /);
    else assert.doesNotMatch(r.body, /kaboom|at /);
    const j = await s.fetch('/', { headers: { Accept: 'application/json' } });
    assert.equal(JSON.parse(j.body).error.debug === undefined, !dev);
    await s.close();
  }
});

test('an error handler that throws falls back to the built-in 500 page; a failing after hook too', async () => {
  const app = new App();
  app.errorHandler(404, () => {
    throw new Error('handler bug');
  });
  app.get('/', () => 'ok');
  app.after((req) => {
    if (req.args.has('break')) throw new Error('after bug');
  });
  const s = await serve(app);
  try {
    const r = await s.fetch('/nope');
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.body, /handler bug/);
    const a = await s.fetch('/?break');
    assert.equal(a.status, 500);
    assert.doesNotMatch(a.body, /after bug/);
  } finally {
    await s.close();
  }
});

test('Accept negotiation for error bodies', async () => {
  const { wantsJson } = await import('./errors.js');
  const rows: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['text/html', false],
    ['application/json', true],
    ['application/problem+json', true],
    ['text/html, application/json;q=0.9', false],
    ['text/html;q=0.5, application/json', true],
    ['*/*', false],
    ['application/json;q=0', false],
  ];
  for (const [accept, want] of rows) assert.equal(wantsJson(accept), want, String(accept));
});

test('405 and 404 go through error handlers by status and keep Allow', async () => {
  const app = new App();
  app.post('/only-post', () => 'posted');
  app.errorHandler(405, () => 'custom 405');
  const s = await serve(app);
  try {
    const r = await s.fetch('/only-post');
    assert.equal(r.status, 405);
    assert.equal(r.body, 'custom 405');
    assert.equal(r.header('allow'), 'POST, OPTIONS');
  } finally {
    await s.close();
  }
});
