import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App } from './app.js';
import { multipartBody, serve, type Served } from './harness.test-util.js';

let s: Served;
const uploadPaths: string[] = [];

before(async () => {
  const app = new App({ limits: { fileBytes: 1000, files: 2, fields: 5, fieldBytes: 100, bodyBytes: 2000 } });
  app.post('/form', async (req) => {
    const files = [];
    for (const [field, f] of req.files) {
      uploadPaths.push(f.path);
      files.push({ field, filename: f.filename, type: f.contentType, size: f.size, text: await f.text(), exists: existsSync(f.path) });
    }
    return { fields: [...req.form], files };
  });
  s = await serve(app);
});
after(() => s.close());

const URLENCODED = 'application/x-www-form-urlencoded';

test('urlencoded form: repeated names, + and % decoding, UTF-8', async () => {
  const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': URLENCODED }, body: 'a=1&a=2&b=x+y%21&c=%C3%A9' });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { fields: [['a', '1'], ['a', '2'], ['b', 'x y!'], ['c', 'é']], files: [] });
});

test('urlencoded form: Content-Type parameters and case are accepted', async () => {
  const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }, body: 'a=1' });
  assert.deepEqual(JSON.parse(r.body).fields, [['a', '1']]);
});

const LIMITS: Array<{ name: string; body: string }> = [
  { name: 'body too large', body: `a=${'x'.repeat(2100)}` },
  { name: 'too many fields', body: 'a=1&b=2&c=3&d=4&e=5&f=6' },
  { name: 'field too large', body: `a=${'x'.repeat(101)}` },
];
for (const row of LIMITS) {
  test(`urlencoded limits -> 413: ${row.name}`, async () => {
    const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': URLENCODED }, body: row.body });
    assert.equal(r.status, 413);
  });
}

test('multipart: fields and files streamed to temp files, deleted after the response', async () => {
  const { body, contentType } = multipartBody([
    { name: 'title', value: 'héllo' },
    { name: 'doc', value: 'file one\r\n--not-a-boundary\r\n', filename: 'one.txt', type: 'text/plain' },
    { name: 'doc', value: Buffer.from([0, 1, 2, 255]), filename: 'two.bin' },
    { name: 'empty', value: '', filename: '' },
  ]);
  const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': contentType }, body });
  assert.equal(r.status, 200);
  const got = JSON.parse(r.body);
  assert.deepEqual(got.fields, [['title', 'héllo']]);
  assert.deepEqual(
    got.files.map((f: { field: string; filename: string; type: string; size: number; exists: boolean }) => [f.field, f.filename, f.type, f.size, f.exists]),
    [
      ['doc', 'one.txt', 'text/plain', 28, true],
      ['doc', 'two.bin', 'application/octet-stream', 4, true],
    ],
  );
  assert.equal(got.files[0].text, 'file one\r\n--not-a-boundary\r\n');
  // cleanup runs once the response is written, so it may finish just after the client has it
  for (let i = 0; i < 50 && uploadPaths.some((p) => existsSync(p)); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(uploadPaths.length, 2);
  for (const p of uploadPaths) assert.equal(existsSync(p), false, `${p} was cleaned up`);
});

const MULTIPART_LIMITS: Array<{ name: string; parts: Parameters<typeof multipartBody>[0]; want: number }> = [
  { name: 'file too large', parts: [{ name: 'f', value: 'x'.repeat(1001), filename: 'big.txt' }], want: 413 },
  { name: 'too many files', parts: [1, 2, 3].map((i) => ({ name: 'f', value: 'x', filename: `${i}.txt` })), want: 413 },
  { name: 'field too large', parts: [{ name: 'a', value: 'x'.repeat(101) }], want: 413 },
  { name: 'file at the limit is fine', parts: [{ name: 'f', value: 'x'.repeat(1000), filename: 'ok.txt' }], want: 200 },
];
for (const row of MULTIPART_LIMITS) {
  test(`multipart limits: ${row.name} -> ${row.want}`, async () => {
    const { body, contentType } = multipartBody(row.parts);
    const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': contentType }, body });
    assert.equal(r.status, row.want);
  });
}

test('multipart: a malformed body is 400; the server keeps serving', async () => {
  const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated' });
  assert.equal(r.status, 400);
  const ok = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': URLENCODED }, body: 'a=1' });
  assert.equal(ok.status, 200);
});

test('multipart: a Content-Type without a boundary is 400', async () => {
  const r = await s.fetch('/form', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data' }, body: 'x' });
  assert.equal(r.status, 400);
});

test('multipart: files are listed in the order they were sent, not the order their temp files finished', async () => {
  const app = new App({ limits: { files: 3 } });
  app.post('/order', (req) => [...req.files].map(([, f]) => f.filename));
  const own = await serve(app);
  try {
    // three small files in one read: their temp files are created and written concurrently, so the
    // order they finish in varies from run to run; a few dozen tries show any dependence on it
    const { body, contentType } = multipartBody([
      { name: 'doc', value: 'x'.repeat(3000), filename: 'a.txt' },
      { name: 'doc', value: 'y', filename: 'b.txt' },
      { name: 'doc', value: 'z'.repeat(100), filename: 'c.txt' },
    ]);
    for (let i = 0; i < 40; i++) {
      const r = await own.fetch('/order', { method: 'POST', headers: { 'Content-Type': contentType }, body });
      assert.deepEqual(JSON.parse(r.body), ['a.txt', 'b.txt', 'c.txt'], `try ${i}`);
    }
  } finally {
    await own.close();
  }
});
