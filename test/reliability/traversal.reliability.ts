// Path traversal corpus against the static handler (what `wirehttp serve` runs): every target is sent
// byte for byte; each must be 400, 403 or 404 and no answer may carry a file from outside the root.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServer } from '../../src/server/index.js';
import { createStaticHandler } from '../../src/static/index.js';
import { figure } from './support.js';

const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';

function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(data));
    s.setTimeout(2000, () => s.destroy());
  });
}

/** Targets that climb out of the root `/srv/www` toward `secret.txt`, `/etc/passwd` or the sibling `www2`. */
const CORPUS: string[] = [
  '/../secret.txt', '/../../../../../../etc/passwd', '/sub/../../secret.txt', '/./../secret.txt',
  // percent-encoded dots and slashes
  '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/.%2e/secret.txt', '/%2e./secret.txt', '/%2e%2e%2fsecret.txt',
  '/sub/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2f..%2fsecret.txt', '/%2fetc%2fpasswd', '//etc/passwd',
  // double-encoded
  '/%252e%252e/secret.txt', '/%252e%252e%252fsecret.txt', '/..%252fsecret.txt', '/%25%32%65%25%32%65/secret.txt',
  // backslashes, raw and encoded
  '/..\\secret.txt', '/..%5csecret.txt', '/%2e%2e%5csecret.txt', '/sub\\..\\..\\secret.txt', '/..%255csecret.txt',
  // NUL, raw and encoded
  '/a.txt%00.html', '/..%00/secret.txt', '/%00../secret.txt', '/a.txt\0.html',
  // overlong UTF-8 and look-alikes
  '/%c0%ae%c0%ae/secret.txt', '/%c0%ae%c0%ae%c0%afsecret.txt', '/..%c0%afsecret.txt', '/..%c1%9csecret.txt',
  '/%e0%80%ae%e0%80%ae/secret.txt', '/%f0%80%80%ae%f0%80%80%ae/secret.txt', '/%ef%bc%8e%ef%bc%8e/secret.txt',
  '/%u002e%u002e/secret.txt', '/..%u2215secret.txt',
  // sibling prefix (/srv/www2 starts with /srv/www), dot-dot-semicolon, many dots
  '/../www2/secret.txt', '/%2e%2e/www2/secret.txt', '/..;/secret.txt', '/....//....//secret.txt', '/.../secret.txt',
  // symlinks inside the root that point out of it
  '/link-out/secret.txt', '/secret-link.txt', '/link-out/../secret.txt', '/sub/up/secret.txt',
  // absolute-form
  'http://h/../secret.txt', 'http://h/%2e%2e/secret.txt',
];

test('traversal corpus against the static handler: 400/403/404 only, nothing from outside the root', async () => {
  const base = mkdtempSync(join(tmpdir(), 'wirehttp-traversal-'));
  const root = join(base, 'www');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(base, 'www2'));
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(root, 'a.txt'), 'inside\n');
  writeFileSync(join(root, 'sub', 'b.txt'), 'inside too\n');
  writeFileSync(join(base, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(join(base, 'www2', 'secret.txt'), `${SECRET}\n`);
  writeFileSync(join(base, 'outside', 'secret.txt'), `${SECRET}\n`);
  symlinkSync(join(base, 'outside'), join(root, 'link-out'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'secret-link.txt'));
  symlinkSync(base, join(root, 'sub', 'up'));
  const server = createServer(createStaticHandler({ root, listing: true }));
  const { port } = await server.listen(0, '127.0.0.1');
  const byStatus = new Map<number, number>();
  try {
    // the root itself is served: the corpus answers are refusals, not a broken handler
    assert.match(await exchange(port, Buffer.from('GET /a.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')), /^HTTP\/1\.1 200 [^]*inside\n$/);
    for (const target of CORPUS) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await exchange(port, Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`, 'latin1'));
        const status = Number(answer.slice(9, 12));
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        assert.ok([400, 403, 404].includes(status), `${method} ${JSON.stringify(target)} -> ${answer.slice(0, 200)}`);
        assert.ok(!answer.includes(SECRET), `${method} ${JSON.stringify(target)} leaked the secret`);
        assert.ok(!answer.includes('root:'), `${method} ${JSON.stringify(target)} leaked /etc/passwd`);
      }
    }
  } finally {
    await server.close(100);
    rmSync(base, { recursive: true, force: true });
  }
  const summary = [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${n}x ${s}`).join(', ');
  figure('path traversal corpus against the static handler', `${CORPUS.length} targets x GET/HEAD: ${summary}; 0 bytes from outside the root`);
});
