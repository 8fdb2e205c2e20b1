// A real browser (Debian's chromium through playwright-core) uses `wirehttp serve`: the listing, a
// folder link, a download, an upload through the listing's form, and a live reload after an edit.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toolSkip } from '../support/tools.js';
import { serve } from './serve-harness.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

test('chromium: listing, folder link, download, upload form, live reload', { skip: toolSkip('chromium', 'apt-get install -y chromium'), timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'wirehttp-serve-browser-'));
  mkdirSync(join(dir, 'photos & notes'));
  writeFileSync(join(dir, 'photos & notes', 'trip <1>.txt'), 'trip notes\n');
  writeFileSync(join(dir, 'data.bin'), Buffer.from([0, 1, 2, 3, 255]));
  writeFileSync(join(dir, 'page.html'), '<!doctype html><html><head><title>v1</title></head><body><h1 id="v">version 1</h1></body></html>');
  mkdirSync(OUTPUT, { recursive: true });
  const s = await serve(dir, ['--watch', '--upload', '-q']);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 700 } });
    const page = await context.newPage();

    await page.goto(`${s.base}/`);
    assert.equal(await page.title(), 'Index of /');
    const names = await page.locator('td.n a').allTextContents();
    assert.deepEqual(names, ['photos & notes/', 'data.bin', 'page.html']);
    await page.screenshot({ path: join(OUTPUT, 'serve-listing.png'), fullPage: true });

    await page.click('text=photos & notes/');
    await page.waitForURL(`${s.base}/photos%20%26%20notes/`);
    assert.deepEqual(await page.locator('td.n a').allTextContents(), ['../', 'trip <1>.txt']);
    await page.click('text=trip <1>.txt');
    assert.equal((await page.textContent('body'))?.trim(), 'trip notes');

    await page.goto(`${s.base}/`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=data.bin')]);
    assert.equal(download.suggestedFilename(), 'data.bin');
    assert.deepEqual(readFileSync((await download.path())!), Buffer.from([0, 1, 2, 3, 255]));

    await page.goto(`${s.base}/`);
    await page.setInputFiles('input[type=file]', { name: 'from browser.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded by chromium\n') });
    await Promise.all([page.waitForURL(`${s.base}/`), page.click('form button')]);
    await page.waitForSelector('text=from browser.txt');
    assert.equal(readFileSync(join(dir, 'from browser.txt'), 'utf8'), 'uploaded by chromium\n');

    // The upload itself is a change under the root, so the listing page may be reloading right now
    // (that is live reload working); watch page.html from a fresh tab so that reload cannot abort it.
    await page.close();
    const watched = await context.newPage();
    // the page's event stream must be open before the edit, or the change has nobody to reach
    const streaming = watched.waitForResponse((r) => r.url().endsWith('/__wirehttp/events'));
    await watched.goto(`${s.base}/page.html`);
    assert.equal(await watched.textContent('#v'), 'version 1');
    assert.equal((await streaming).headers()['content-type'], 'text/event-stream; charset=utf-8');
    writeFileSync(join(dir, 'page.html'), '<!doctype html><html><head><title>v2</title></head><body><h1 id="v">version 2</h1></body></html>');
    await watched.waitForFunction("document.getElementById('v')?.textContent === 'version 2'", undefined, { timeout: 10_000 });
    await watched.screenshot({ path: join(OUTPUT, 'serve-reloaded.png') });
    await context.close();
  } finally {
    await browser.close();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
