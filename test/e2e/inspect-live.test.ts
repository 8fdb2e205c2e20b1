// The --inspect page in a real browser (Debian's chromium through playwright-core): requests to
// `wirehttp serve --inspect` appear live, the filter narrows the list, a row shows its heads, why-notes
// and bytes (a chosen header highlighted), copy as curl replays, HAR and pcap download; and the page
// stays quick with 10,000 exchanges in its buffer. Screenshots go to test-output/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { CaptureEvent } from '../../src/inspect/capture.js';
import { harProblems } from '../../src/inspect/har-schema.test-util.js';
import { LiveInspector } from '../../src/inspect/live/index.js';
import { hasCommand, toolSkip } from '../support/tools.js';
import { agent, cli, get, serve, tree, waitFor } from './serve-harness.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const skip = toolSkip('chromium', 'apt-get install -y chromium');

after(() => agent.close());

// Page functions run in the browser; the project compiles without DOM types, so the few globals they
// use are declared here, as far as they are used.
declare const document: {
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
  querySelectorAll(selector: string): Iterable<{ children: ArrayLike<{ textContent: string | null }> }>;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };

/** visibleRows reads the list rows the DOM holds (the virtualized list renders only those in view). */
function visibleRows(page: Page): Promise<Array<{ no: number; target: string; status: string }>> {
  return page.$$eval('#viewport .row[data-no]:not([hidden])', (els) => els.map((el) => {
    const c = el.children;
    return { no: Number(c[0]!.textContent), target: c[4]!.textContent ?? '', status: c[5]!.textContent ?? '' };
  }));
}

/** filter types into the filter box and waits until the drawn list reflects it with `shown` rows. */
async function filter(page: Page, text: string, shown: number): Promise<void> {
  await page.fill('#filter', text);
  await page.waitForFunction(([t, n]) => {
    const d = document.getElementById('count')!.dataset;
    return d.filter === t && d.shown === String(n);
  }, [text, shown] as const, { timeout: 5000 }).catch(async (error: unknown) => {
    throw new Error(`filter '${text}': wanted ${shown} rows, count says ${JSON.stringify(await page.$eval('#count', (el) => [el.getAttribute('data-filter'), el.getAttribute('data-shown'), el.textContent]))}`, { cause: error });
  });
}

test('chromium: serve --inspect lists requests live, filters, shows heads, why-notes and bytes, copies curl, downloads HAR and pcap', { skip, timeout: 30_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = tree();
  mkdirSync(OUTPUT, { recursive: true });
  const s = await serve(dir, ['--inspect', '-q']);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const inspector = (await waitFor(s.out, /Inspector: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    assert.notEqual(new URL(inspector).port, String(s.port));
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inspector.slice(0, -1) });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(inspector);
    await page.waitForSelector('#live[data-state="live"]');

    // traffic made while the page is open: each answer decided by the protocol
    const first = await get(`${s.base}/hello.txt`);
    const etag = first.headers.etag!;
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await get(`${s.base}/big.txt`, { headers: { Range: 'bytes=0-9' } })).status, 206);
    assert.equal((await get(`${s.base}/big.txt`, { headers: { Range: 'bytes=999999-' } })).status, 416);
    assert.equal((await get(`${s.base}/missing`)).status, 404);
    assert.equal((await get(`${s.base}/hello.txt`, { method: 'DELETE' })).status, 405);
    assert.equal((await get(`${s.base}/hello.txt`, { headers: { Connection: 'close' } })).status, 200);

    await page.waitForFunction(() => document.getElementById('count')!.dataset.total === '7', undefined, { timeout: 5000 });
    const rows = await visibleRows(page);
    assert.deepEqual(rows.map((r) => `${r.target} ${r.status}`), ['/hello.txt 200', '/hello.txt 304', '/big.txt 206', '/big.txt 416', '/missing 404', '/hello.txt 405', '/hello.txt 200']);
    await page.screenshot({ path: join(OUTPUT, 'inspect-live-list.png') });

    // the filter: fields, wildcards, negation and free text in the heads
    await filter(page, 'status:404', 1);
    assert.deepEqual((await visibleRows(page)).map((r) => r.target), ['/missing']);
    await filter(page, 'method:DELETE', 1);
    await filter(page, 'path:/big status:2xx', 1);
    await filter(page, 'status:4xx -path:/missing', 2);
    await filter(page, 'if-none-match', 1);
    await page.screenshot({ path: join(OUTPUT, 'inspect-live-filtered.png') });

    // a row: why-note, heads tree, the bytes of a chosen header highlighted
    await page.click('#viewport .row[data-no]:not([hidden])');
    await page.waitForSelector('#why li[data-topic="not-modified"]');
    assert.match(await page.textContent('#why') ?? '', /If-None-Match: "[^"]+" matches the resource's current ETag/);
    assert.match(await page.textContent('#hex-request') ?? '', /^0000 {2}47 45 54 20 2f 68 65 6c {2}6c 6f 2e 74 78 74 20 48 {3}GET \/hello\.txt H/);
    await page.click('#tree .node[data-side="request"]:has(.fname:text-is("If-None-Match"))');
    const marked = await page.$$eval('#hex-request mark', (els) => els.map((e) => e.textContent ?? '').join(''));
    assert.match(marked, /49 66 2d 4e 6f 6e 65/, 'the hex of "If-None" is highlighted');
    assert.match(marked, /If-None-Match/);
    await page.screenshot({ path: join(OUTPUT, 'inspect-live-detail.png') });

    // copy as curl: the command is shown, on the clipboard, and replays the conditional request
    await page.click('button:text("Copy as curl")');
    const command = (await page.textContent('#command')) ?? '';
    assert.match(command, /^curl -H 'If-None-Match: "[^"]+"' /);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
    // the replay is one more exchange (curl sends If-None-Match too: another 304)
    const replayed = hasCommand('curl');
    if (replayed) {
      const replay = spawnSync('sh', ['-c', `${command} -s -o /dev/null -w '%{http_code}'`], { encoding: 'utf8', timeout: 5000 });
      assert.equal(replay.stdout, '304');
    }
    await page.click('button:text("Copy as wirehttp request")');
    assert.match((await page.textContent('#command')) ?? '', /^wirehttp request -H 'If-None-Match: /);

    // the other why-notes
    await filter(page, 'method:DELETE', 1);
    await page.click('#viewport .row[data-no]:not([hidden])');
    await page.waitForSelector('#why li[data-topic="method-not-allowed"]');
    assert.match(await page.textContent('#why') ?? '', /does not take DELETE; Allow lists the methods it does: GET, HEAD/);
    await filter(page, 'status:416', 1);
    await page.click('#viewport .row[data-no]:not([hidden])');
    await page.waitForSelector('#why li[data-topic="range-not-satisfiable"]');
    await filter(page, 'connection:', 1);
    await page.click('#viewport .row[data-no]:not([hidden])');
    await page.waitForSelector('#why li[data-topic="connection-close"]');
    const total = replayed ? 8 : 7;
    await filter(page, '', total);

    // a request made now appears without a reload
    await get(`${s.base}/docs/`);
    await page.waitForFunction((n) => document.getElementById('count')!.dataset.total === String(n), total + 1, { timeout: 5000 });

    const [har] = await Promise.all([page.waitForEvent('download'), page.click('#download-har')]);
    assert.match(har.suggestedFilename(), /^wirehttp-\d{8}-\d{6}\.har$/);
    const doc = JSON.parse(readFileSync((await har.path())!, 'utf8')) as { log: { entries: Array<{ request: { url: string }; response: { status: number } }> } };
    assert.deepEqual(harProblems(doc), []);
    assert.deepEqual(doc.log.entries.map((e) => `${new URL(e.request.url).pathname} ${e.response.status}`), [
      '/hello.txt 200', '/hello.txt 304', '/big.txt 206', '/big.txt 416', '/missing 404', '/hello.txt 405', '/hello.txt 200', ...(replayed ? ['/hello.txt 304'] : []), '/docs/ 200',
    ]);
    const [pcap] = await Promise.all([page.waitForEvent('download'), page.click('#download-pcap')]);
    const pcapPath = (await pcap.path())!;
    assert.equal(readFileSync(pcapPath).readUInt32LE(0), 0xa1b2c3d4);
    if (hasCommand('tshark')) {
      const uris = spawnSync('tshark', ['-r', pcapPath, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(uris.status, 0, uris.stderr);
      assert.deepEqual(uris.stdout.trim().split('\n'), ['/hello.txt', '/hello.txt', '/big.txt', '/big.txt', '/missing', '/hello.txt', '/hello.txt', ...(replayed ? ['/hello.txt'] : []), '/docs/']);
    }
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** synthetic makes the capture events of one keep-alive connection with `count` exchanges, numbered from `from`. */
function synthetic(id: number, from: number, count: number, time: number): CaptureEvent[] {
  const events: CaptureEvent[] = [{ kind: 'open', id, time, secure: false, client: { address: '127.0.0.1', port: 20_000 + (id % 40_000) }, server: { address: '127.0.0.1', port: 8000 } }];
  for (let n = from; n < from + count; n++) {
    const status = n % 10 === 0 ? '404 Not Found' : '200 OK';
    const body = `exchange ${n}\n`;
    const request = `GET /items/${n}?page=${n % 7} HTTP/1.1\r\nHost: lab.test\r\nUser-Agent: load/1.0\r\nAccept: application/json\r\nX-Seq: ${n}\r\n\r\n`;
    const response = `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nETag: "e${n}"\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    events.push({ kind: 'data', id, from: 'client', bytes: Buffer.from(request), time: time + n * 0.01 });
    events.push({ kind: 'data', id, from: 'server', bytes: Buffer.from(response), time: time + n * 0.01 + 0.005 });
  }
  events.push({ kind: 'close', id, by: 'client', reason: 'client FIN', time: time + (from + count) * 0.01 });
  return events;
}

test('chromium: 10,000 exchanges in the ring: the page loads, scrolls, filters and shows bytes quickly with a few dozen rows in the DOM', { skip, timeout: 30_000 }, async () => {
  const { chromium } = await import('playwright-core');
  mkdirSync(OUTPUT, { recursive: true });
  const live = new LiveInspector({ capacity: 10_000, version: 'test' });
  const url = await live.listen(0);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    // 10,500 exchanges on 105 connections through the real splitter and recorder: the oldest 500 drop out
    const fed = Date.now();
    const start = Date.now() - 60_000;
    for (let c = 0; c < 105; c++) for (const e of synthetic(c + 1, c * 100 + 1, 100, start + c)) live.sink(e);
    const feedMs = Date.now() - fed;
    assert.ok(feedMs < 5000, `recording 10,500 exchanges took ${feedMs} ms`);
    assert.equal(live.recorder.ring.size, 10_000);
    assert.equal(live.recorder.first, 501);

    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const opened = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('count')!.dataset.total === '10000', undefined, { timeout: 10_000 });
    const loadMs = Date.now() - opened;
    assert.ok(loadMs < 5000, `the page took ${loadMs} ms to receive 10,000 rows`);
    const inDom = await page.$$eval('#viewport .row:not(.header)', (els) => els.length);
    assert.ok(inDom < 100, `${inDom} row elements in the DOM for 10,000 exchanges`);
    // following the end: the newest rows are in view
    assert.equal((await visibleRows(page)).at(-1)!.no, 10_500);

    // scroll to the middle: the rows in view are the middle ones, still only a few dozen elements
    await page.$eval('#viewport', (vp) => { vp.scrollTop = vp.scrollHeight / 2; });
    await page.waitForFunction(() => {
      const nos = [...document.querySelectorAll('#viewport .row[data-no]:not([hidden])')].map((el) => Number(el.children[0]!.textContent));
      return nos.some((n) => n > 5400 && n < 5600);
    }, undefined, { timeout: 5000 });
    assert.ok(await page.$$eval('#viewport .row:not(.header)', (els) => els.length) < 100);

    // filters over all 10,000 answer fast: a field term and a free-text term in the heads
    let t = Date.now();
    await filter(page, 'status:404', 1000);
    const statusMs = Date.now() - t;
    assert.ok((await visibleRows(page)).every((r) => r.status === '404'));
    t = Date.now();
    await filter(page, '"x-seq: 7777"', 1);
    const textMs = Date.now() - t;
    assert.ok(statusMs < 2000 && textMs < 2000, `filtering took ${statusMs} ms and ${textMs} ms`);
    if (process.env.WIREHTTP_TIMINGS === '1') process.stderr.write(`10k: record ${feedMs} ms, page load ${loadMs} ms, DOM rows ${inDom}, filter status ${statusMs} ms, text ${textMs} ms\n`);
    assert.deepEqual((await visibleRows(page)).map((r) => r.target), ['/items/7777?page=0']);

    await page.click('#viewport .row[data-no]:not([hidden])');
    await page.waitForSelector('#hex-response');
    assert.match(await page.textContent('#hex-response') ?? '', /HTTP\/1\.1 200 OK/);
    await page.screenshot({ path: join(OUTPUT, 'inspect-live-10k.png') });

    // more traffic while the page is open: the ring moves on and the page with it
    for (const e of synthetic(1000, 10_501, 100, Date.now())) live.sink(e);
    await filter(page, '', 10_000);
    const lastRowIs = (no: number): Promise<unknown> => page.waitForFunction((n) => [...document.querySelectorAll('#viewport .row[data-no]:not([hidden])')].some((el) => el.children[0]!.textContent === String(n)), no, { timeout: 5000 });
    // scrolled to the end by hand, the list follows new rows again
    await page.$eval('#viewport', (vp) => { vp.scrollTop = vp.scrollHeight; });
    await lastRowIs(10_600);
    for (const e of synthetic(1001, 10_601, 10, Date.now())) live.sink(e);
    await lastRowIs(10_610);
    assert.equal(await page.$eval('#count', (el) => el.getAttribute('data-total')), '10000');
    assert.equal(live.recorder.first, 611);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await live.close();
  }
});

test('the page refuses a foreign Host (DNS rebinding) and methods other than GET and HEAD', async () => {
  const live = new LiveInspector();
  const url = await live.listen(0);
  try {
    assert.equal((await get(url)).status, 200);
    assert.equal((await get(url, { headers: { Host: 'evil.test' } })).status, 403);
    assert.equal((await get(`${url}api/exchange/1`, { headers: { Host: `localhost:${new URL(url).port}` } })).status, 404);
    const post = await get(`${url}capture.har`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const page = await get(url);
    assert.match(page.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(page.headers['access-control-allow-origin'], undefined);
  } finally {
    await live.close();
  }
});


test('demo --inspect and proxy --inspect print the page URL and record their exchanges; --workers refuses it', { timeout: 20_000 }, async () => {
  /** detail polls the page's JSON for exchange `no` until its response is complete (the server records as it writes). */
  const detail = async (inspector: string, no: number): Promise<{ summary: { method: string; target: string; status: number } }> => {
    for (const end = Date.now() + 3000; ; await new Promise((r) => setTimeout(r, 25))) {
      const res = await get(`${inspector}api/exchange/${no}`);
      const body = res.status === 200 ? (JSON.parse(res.body.toString()) as { summary: { method: string; target: string; status: number; state: string } }) : undefined;
      if (body?.summary.state === 'done' || Date.now() > end) {
        assert.equal(res.status, 200);
        return body!;
      }
    }
  };
  const demo = cli(['demo', '0', '--inspect']);
  const dir = tree();
  const upstream = await serve(dir, ['-q']);
  let proxy: ReturnType<typeof cli> | undefined;
  try {
    const site = (await waitFor(demo.out, /wirehttp demo on (http:\/\/127\.0\.0\.1:\d+\/)/, 10_000))[1]!;
    const page = (await waitFor(demo.out, /Inspector: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    assert.equal((await get(site)).status, 200);
    assert.deepEqual((await detail(page, 1)).summary.target, '/');

    proxy = cli(['proxy', '--listen', '0', '--to', upstream.base, '--inspect', '--inspect-buffer=5', '-q']);
    const front = (await waitFor(proxy.out, /proxy on (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    const proxyPage = (await waitFor(proxy.out, /Inspector: (http:\/\/127\.0\.0\.1:\d+\/) \(live page on loopback only; keeps the last 5 exchanges\)/))[1]!;
    assert.equal((await get(`${front}hello.txt`)).status, 200);
    const d = await detail(proxyPage, 1);
    assert.deepEqual([d.summary.method, d.summary.target, d.summary.status], ['GET', '/hello.txt', 200]);

    const workers = cli(['serve', '0', '-d', dir, '--workers', '2', '--inspect']);
    assert.equal(await workers.exit, 2);
    assert.match(workers.err(), /--inspect record one process: drop --workers/);
  } finally {
    demo.child.kill('SIGTERM');
    proxy?.child.kill('SIGTERM');
    assert.equal(await demo.exit, 0);
    if (proxy !== undefined) assert.equal(await proxy.exit, 0);
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
