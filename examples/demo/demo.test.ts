import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent, request } from '../../src/index.js';
import { createDemoApp } from './demo.js';

test('demo: the index links every example and each is mounted under its prefix', async () => {
  const { server, port } = await createDemoApp().listen(0, '127.0.0.1');
  const agent = new Agent();
  const get = async (path: string): Promise<{ status: number; body: string; location?: string }> => {
    const res = await request(`http://127.0.0.1:${port}${path}`, { agent, timeouts: { total: 5000 } });
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  };
  try {
    const index = await get('/');
    for (const href of ['/lab/', '/handler/', '/lab-server/']) assert.match(index.body, new RegExp(`href="${href}"`));
    const lab = await get('/lab/test_get');
    assert.match(lab.body, /action="\/lab\/get"/, 'urlFor adds the mount prefix');
    assert.match((await get('/lab/get?test=%3Cx%3E')).body, /&lt;x&gt;/);
    assert.equal((await get('/lab')).location, '/lab/');
    assert.match((await get('/handler/p?q')).body, /^path: \/p\?q\n/);
    assert.match((await get('/lab-server/')).body, /It works!/);
    assert.equal((await get('/missing')).status, 404);
  } finally {
    agent.close();
    await server.close(100);
  }
});
