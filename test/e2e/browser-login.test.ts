// A real browser (Debian's chromium through playwright-core) on the demo site: the lab's GET and POST
// forms, then the login example: log in, the session cookie is HttpOnly, a reload stays logged in,
// logout ends it; and one example cookie from /login/cookies.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDemoApp } from '../../examples/demo/demo.js';
import { loadExtras } from '../../examples/demo/extras.js';
import { toolSkip } from '../support/tools.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

test('chromium: lab GET and POST forms, login with an HttpOnly session cookie, reload, logout', { skip: toolSkip('chromium', 'apt-get install -y chromium'), timeout: 30_000 }, async () => {
  const { chromium } = await import('playwright-core');
  mkdirSync(OUTPUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'wirehttp-chromium-'));
  const extras = await loadExtras({});
  const { server, port } = await createDemoApp(extras).listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 900, height: 800 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const value = 'café <b>&</b> "quotes"';

    await page.goto(`${base}/lab/test_get`);
    await page.fill('input[name=test]', value);
    await Promise.all([page.waitForURL(/\/lab\/get\?test=/), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('#value'), value);
    assert.equal(new URL(page.url()).searchParams.get('test'), value);

    await page.goto(`${base}/lab/test_post`);
    await page.fill('input[name=test]', value);
    await Promise.all([page.waitForURL(`${base}/lab/post`), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('#value'), value);

    await page.goto(`${base}/login/account`);
    assert.equal(page.url(), `${base}/login/?next=%2Flogin%2Faccount`, 'logged out: sent to the form');
    assert.match((await page.textContent('.flash'))!, /Please log in/);
    await page.fill('input[name=user]', 'student');
    await page.fill('input[name=password]', 'networking');
    await Promise.all([page.waitForURL(`${base}/login/account`), page.click('#login')]);
    assert.equal(await page.textContent('#user'), 'student');

    const session = (await context.cookies(base)).find((c) => c.name === 'session');
    assert.ok(session !== undefined, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.equal(session.expires, -1, 'a browser-session cookie');
    assert.doesNotMatch((await page.textContent('#js-cookies'))!, /session=/, 'scripts cannot read it');
    await page.screenshot({ path: join(OUTPUT, 'login-account.png'), fullPage: true });

    await page.reload();
    assert.equal(await page.textContent('#user'), 'student', 'still logged in after a reload');

    await page.goto(`${base}/login/cookies`);
    await Promise.all([page.waitForURL(`${base}/login/cookies`), page.click('button[value=httponly]')]);
    assert.match(await page.locator('#sent').innerText(), /demo_httponly/);
    assert.doesNotMatch((await page.textContent('#js-cookies'))!, /demo_httponly/);
    await page.screenshot({ path: join(OUTPUT, 'login-cookies.png'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/login/`), page.click('#logout')]);
    assert.match((await page.textContent('.flash'))!, /logged out/);
    await page.goto(`${base}/login/account`);
    assert.match(page.url(), /\/login\/\?next=/, 'logged out: the account page is closed again');
  } finally {
    await context.close();
    await server.close(100);
    await extras.close?.();
    rmSync(profile, { recursive: true, force: true });
  }
});
