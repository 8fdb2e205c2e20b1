// Hostile input on the app framework's surfaces: user-supplied redirect targets (the open-redirect
// guard) and multipart bodies past every limit (huge files, many parts, huge part heads), which must
// be refused early, keep memory flat and leave no upload behind.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { App, redirect } from '../../src/index.js';
import { createServer } from '../../src/server/index.js';
import { figure, rssBytes } from './support.js';

/** exchange sends `head`, then `body` pieces as the socket drains, and resolves with the answer. */
function exchange(port: number, head: string, body: Iterable<Buffer> = []): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', () => {}); // the server may close before it read everything: the answer is what counts
    s.on('close', () => resolve(data));
    s.setTimeout(10_000, () => s.destroy());
    s.write(head);
    const pieces = body[Symbol.iterator]();
    const pump = (): void => {
      for (let next = pieces.next(); !next.done; next = pieces.next()) {
        if (s.destroyed) return;
        if (!s.write(next.value)) return void s.once('drain', pump);
      }
    };
    pump();
  });
}

const statusOf = (answer: string): number => Number(answer.slice(9, 12));
const locationOf = (answer: string): string | undefined => /\r\nLocation: ([^\r]*)\r\n/i.exec(answer)?.[1];
const uploadDirs = (): number => readdirSync(tmpdir()).filter((n) => n.startsWith('wirehttp-upload-')).length;

// what a browser would do with each Location, resolved against http://127.0.0.1:PORT/go
const LEAVING = [
  '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '\\/evil.example',
  'https://evil.example/', 'http:evil.example', 'HTTP://evil.example', 'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>', 'http://127.0.0.1@evil.example/', 'http://127.0.0.1.evil.example/',
];
const CONTROL = ['/ok\r\nSet-Cookie: evil=1', '/ok\nX: y', '/ok\0', '\t//evil.example'];
// an encoded CR LF stays encoded in a same-site path: allowed, and never decoded into the head;
// a leading space is percent-encoded, which makes '%20//evil.example' a relative path on this site
const STAYING = ['/inside', 'inside', '?q=1', '#top', '/a/../b', '/%2F%2Fevil.example', '/%0d%0aSet-Cookie:x=1', ' //evil.example'];

test('open-redirect guard: user-supplied targets that leave the site or split the head are refused', async (t) => {
  const app = new App();
  app.get('/go', (req) => redirect(req.args.get('next') ?? '/'));
  const server = createServer(app.handler);
  const { port } = await server.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  t.after(() => server.close(100));
  let refused = 0;
  let allowed = 0;
  for (const target of [...LEAVING, ...CONTROL, ...STAYING]) {
    const answer = await exchange(port, `GET /go?next=${encodeURIComponent(target)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    const location = locationOf(answer);
    const leaves = location !== undefined && new URL(location, `${origin}/go`).origin !== origin;
    assert.equal(leaves, false, `${JSON.stringify(target)} sent the browser to ${location}`);
    assert.doesNotMatch(answer.slice(0, answer.indexOf('\r\n\r\n')), /\r\n(Set-Cookie|X):/i, `a header was injected by ${JSON.stringify(target)}`);
    if (statusOf(answer) === 302) {
      allowed++;
      assert.ok(STAYING.includes(target), `${JSON.stringify(target)} was redirected to ${location}, expected 400`);
    } else {
      assert.equal(statusOf(answer), 400, `${JSON.stringify(target)}: ${answer.slice(0, 80)}`);
      refused++;
    }
  }
  const expectedRefused = LEAVING.length + CONTROL.length;
  assert.equal(refused, expectedRefused);
  figure('open-redirect guard', `${refused} of ${expectedRefused} leaving or control-character targets refused with 400; ${allowed} same-site targets redirected`);
});

test('multipart past the limits: refused early with 413/400, memory flat, no upload left behind', async (t) => {
  const limits = { fileBytes: 1024 * 1024, files: 4, fields: 50, fieldBytes: 4096, bodyBytes: 64 * 1024 };
  const app = new App({ limits });
  app.post('/upload', (req) => ({ files: req.files.size }));
  const server = createServer(app.handler);
  const { port } = await server.listen(0, '127.0.0.1');
  t.after(() => server.close(100));
  const dirsBefore = uploadDirs();
  const rssBefore = rssBytes();
  const boundary = 'reliability-boundary';
  const head = (extra = ''): string =>
    `POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n${extra}\r\n`;
  const chunk = (bytes: Buffer | string): Buffer => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
  };
  const filePart = (name: string): string => `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const mib = Buffer.alloc(1024 * 1024, 0x61);
  function* hugeFile(): Generator<Buffer> {
    yield chunk(filePart('huge.bin'));
    for (let i = 0; i < 256; i++) yield chunk(mib); // 256 MiB offered; refused after the first MiB
    yield chunk(`\r\n--${boundary}--\r\n`);
    yield Buffer.from('0\r\n\r\n');
  }
  function* manyFiles(): Generator<Buffer> {
    for (let i = 0; i < 1000; i++) yield chunk(`${filePart(`${i}.txt`)}x\r\n`);
    yield chunk(`--${boundary}--\r\n`);
    yield Buffer.from('0\r\n\r\n');
  }
  function* manyFields(): Generator<Buffer> {
    for (let i = 0; i < 10_000; i++) yield chunk(`--${boundary}\r\nContent-Disposition: form-data; name="k${i}"\r\n\r\nv\r\n`);
    yield chunk(`--${boundary}--\r\n`);
    yield Buffer.from('0\r\n\r\n');
  }
  function* hugePartHead(): Generator<Buffer> {
    yield chunk(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(1024 * 1024)}\r\n\r\nv\r\n--${boundary}--\r\n`);
    yield Buffer.from('0\r\n\r\n');
  }
  function* hugeField(): Generator<Buffer> {
    yield chunk(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`);
    for (let i = 0; i < 64; i++) yield chunk(mib);
    yield chunk(`\r\n--${boundary}--\r\n`);
    yield Buffer.from('0\r\n\r\n');
  }
  const cases: Array<[string, () => Iterable<Buffer>, number[]]> = [
    ['a 256 MiB file (limit 1 MiB)', hugeFile, [413]],
    ['1,000 files (limit 4)', manyFiles, [413]],
    ['10,000 fields (limit 50)', manyFields, [413]],
    ['a 1 MiB part head', hugePartHead, [400, 413, 431]],
    ['a 64 MiB field (limit 4 KiB)', hugeField, [413]],
  ];
  const got: string[] = [];
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes() - rssBefore)), 20);
  try {
    for (const [name, body, want] of cases) {
      const started = Date.now();
      const answer = await exchange(port, head(), body());
      const status = statusOf(answer);
      assert.ok(want.includes(status), `${name}: got ${answer.slice(0, 120)}`);
      got.push(`${name} ${status} in ${Date.now() - started} ms`);
    }
    const ok = await exchange(port, head(), [chunk(`${filePart('ok.txt')}fine\r\n--${boundary}--\r\n`), Buffer.from('0\r\n\r\n')]);
    assert.equal(statusOf(ok), 200, 'the server keeps serving');
  } finally {
    clearInterval(sampler);
  }
  // temp folders are removed once each response is out; give the last removal a moment
  for (let i = 0; i < 50 && uploadDirs() > dirsBefore; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(uploadDirs(), dirsBefore, 'no upload folder left in the temp dir');
  const peakMiB = peak / 1024 / 1024;
  assert.ok(peakMiB < 64, `RSS grew ${peakMiB.toFixed(1)} MiB`);
  figure('multipart past the limits', `${got.join(', ')}; RSS peak +${peakMiB.toFixed(1)} MiB; upload temp folders ${dirsBefore} before, ${uploadDirs()} after`);
});
