// Hostile input on the engine's surfaces: response splitting through handler-set headers, cookies and
// reason phrases; Host abuse; oversized heads and bodies; TLS versions and cipher suites.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions } from 'node:tls';
import { generate } from 'selfsigned';
import { createServer, type Handler, type HeaderValue, type Response } from '../../src/server/index.js';
import { figure } from './support.js';

/** exchange sends raw bytes and resolves with everything the server sent until it closed (or 2 s passed). */
function exchange(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(data));
    s.setTimeout(2000, () => s.destroy());
  });
}

const statusOf = (answer: string): number => Number(answer.slice(9, 12));
const headOf = (answer: string): string => answer.slice(0, answer.indexOf('\r\n\r\n') + 2);

const EVIL = ['ok\r\nSet-Cookie: evil=1', 'ok\nSet-Cookie: evil=1', 'ok\rSet-Cookie: evil=1', 'ok\0evil', 'ok\r\n\r\n<script>evil</script>'];
type Attempt = (res: Response, evil: string) => void;
const ATTEMPTS: Record<string, Attempt> = {
  setHeader: (res, evil) => res.setHeader('X-Echo', evil),
  appendHeader: (res, evil) => res.appendHeader('X-Echo', evil),
  'setHeader array': (res, evil) => res.setHeader('X-Echo', ['fine', evil] as HeaderValue),
  'header name': (res, evil) => res.setHeader(`X-${evil}`, 'v'),
  cookie: (res, evil) => res.appendHeader('Set-Cookie', `sid=${evil}; Path=/`),
  writeHead: (res, evil) => res.writeHead(200, { 'X-Echo': evil }),
  'reason phrase': (res, evil) => res.status(200, evil),
  redirect: (res, evil) => res.status(302).setHeader('Location', `/next?${evil}`),
};

test('response splitting: CR, LF and NUL in handler-set headers, cookies and reasons are refused; nothing of them is sent', async () => {
  let rejected = 0;
  let accepted = 0;
  const handler: Handler = (req, res) => {
    const [name, index, mode] = decodeURIComponent(req.path.slice(1)).split('|') as [string, string, 'caught' | 'thrown'];
    const attempt = ATTEMPTS[name]!;
    const evil = EVIL[Number(index)]!;
    if (mode === 'thrown') {
      attempt(res, evil); // the engine turns the throw into a plain 500
      return;
    }
    try {
      attempt(res, evil);
      accepted++;
    } catch (error) {
      assert.equal((error as { status?: number }).status, 500);
      rejected++;
    }
    res.status(200).end('body');
  };
  const server = createServer(handler);
  const { port } = await server.listen(0, '127.0.0.1');
  let tried = 0;
  try {
  for (const name of Object.keys(ATTEMPTS)) {
    for (let i = 0; i < EVIL.length; i++) {
      for (const mode of ['caught', 'thrown']) {
        tried++;
        const answer = await exchange(port, `GET /${encodeURIComponent(`${name}|${i}|${mode}`)} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
        const head = headOf(answer);
        assert.equal(statusOf(answer), mode === 'caught' ? 200 : 500, `${name} ${JSON.stringify(EVIL[i])} ${mode}: ${head}`);
        assert.doesNotMatch(answer, /evil/i, `${name} ${mode} leaked: ${answer}`);
        assert.doesNotMatch(head, /X-Echo|Location|sid=/i, `${name} ${mode}: a refused header was sent anyway`);
      }
    }
  }
  } finally {
    await server.close(100);
  }
  figure('response splitting (setHeader, appendHeader, arrays, names, cookies, writeHead, reason, Location)', `${rejected} of ${tried / 2} injections refused with HttpError 500, ${accepted} accepted, 0 bytes of them sent; ${tried / 2} uncaught ones answered 500`);
  assert.equal(accepted, 0);
});

const HOST_CASES: Array<{ name: string; head: string; want: number; host?: string }> = [
  { name: 'ordinary', head: 'GET /echo HTTP/1.1\r\nHost: a.example:8080', want: 200, host: 'a.example:8080' },
  { name: 'IPv6 literal', head: 'GET /echo HTTP/1.1\r\nHost: [::1]:80', want: 200, host: '[::1]:80' },
  { name: 'empty (allowed by RFC 9110 §7.2)', head: 'GET /echo HTTP/1.1\r\nHost: ', want: 200, host: '' },
  { name: 'missing on HTTP/1.1', head: 'GET /echo HTTP/1.1\r\nX: y', want: 400 },
  { name: 'missing on HTTP/1.0 (allowed)', head: 'GET /echo HTTP/1.0\r\nX: y', want: 200 },
  { name: 'duplicate', head: 'GET /echo HTTP/1.1\r\nHost: a.example\r\nHost: b.example', want: 400 },
  { name: 'duplicate, other case', head: 'GET /echo HTTP/1.1\r\nHost: a.example\r\nhOST: a.example', want: 400 },
  { name: 'comma list', head: 'GET /echo HTTP/1.1\r\nHost: a.example, b.example', want: 400 },
  { name: 'space inside', head: 'GET /echo HTTP/1.1\r\nHost: a b', want: 400 },
  { name: 'userinfo', head: 'GET /echo HTTP/1.1\r\nHost: user@a.example', want: 400 },
  { name: 'path in Host', head: 'GET /echo HTTP/1.1\r\nHost: a.example/evil', want: 400 },
  { name: 'two ports', head: 'GET /echo HTTP/1.1\r\nHost: a.example:80:80', want: 400 },
  { name: 'non-numeric port', head: 'GET /echo HTTP/1.1\r\nHost: a.example:8o', want: 400 },
  { name: 'unclosed IPv6 literal', head: 'GET /echo HTTP/1.1\r\nHost: [::1', want: 400 },
  { name: 'control character', head: 'GET /echo HTTP/1.1\r\nHost: a\x01b', want: 400 },
  { name: 'obs-fold continuation', head: 'GET /echo HTTP/1.1\r\nHost: a.example\r\n b.example', want: 400 },
  { name: 'space before colon', head: 'GET /echo HTTP/1.1\r\nHost : a.example', want: 400 },
  { name: 'absolute-form wins over a different Host', head: 'GET http://a.example/echo HTTP/1.1\r\nHost: b.example', want: 200, host: 'a.example' },
  { name: 'absolute-form with userinfo', head: 'GET http://u:p@a.example:81/echo HTTP/1.1\r\nHost: b.example', want: 200, host: 'a.example:81' },
];

test('Host abuse: missing, repeated and malformed Host are 400; absolute-form overrides Host', async () => {
  const server = createServer((req, res) => res.end(`host=${req.host}`));
  const { port } = await server.listen(0, '127.0.0.1');
  for (const c of HOST_CASES) {
    const answer = await exchange(port, `${c.head}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(answer), c.want, `${c.name}: ${answer.slice(0, 80)}`);
    if (c.host !== undefined) assert.ok(answer.endsWith(`\r\n\r\nhost=${c.host}`), `${c.name}: ${answer}`);
  }
  await server.close(100);
  figure('Host abuse', `${HOST_CASES.length} cases: ${HOST_CASES.filter((c) => c.want === 400).length} refused with 400, absolute-form authority used over Host`);
});

test('oversized input: long target 414, big heads 431, bodies past the limit 413 (declared or chunked)', async () => {
  const server = createServer(
    async (req, res) => {
      const body = await req.bytes();
      res.end(String(body.length));
    },
    { limits: { maxBodyBytes: 1024 * 1024 } },
  );
  const { port } = await server.listen(0, '127.0.0.1');
  const many = Array.from({ length: 150 }, (_, i) => `X-F${i}: v\r\n`).join('');
  const chunked = (size: number): string => {
    let out = '';
    for (let sent = 0; sent < size; sent += 65536) out += `10000\r\n${'c'.repeat(65536)}\r\n`;
    return `${out}0\r\n\r\n`;
  };
  const cases: Array<[string, string, number]> = [
    ['9 KiB target', `GET /${'a'.repeat(9 * 1024)} HTTP/1.1\r\nHost: h\r\n\r\n`, 414],
    ['20 KiB header', `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`, 431],
    ['150 fields', `GET / HTTP/1.1\r\nHost: h\r\n${many}\r\n`, 431],
    ['2 MiB declared body', `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n${'d'.repeat(2 * 1024 * 1024)}`, 413],
    ['2 MiB chunked body', `POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(2 * 1024 * 1024)}`, 413],
    ['1 MiB body (at the limit)', `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${1024 * 1024}\r\nConnection: close\r\n\r\n${'d'.repeat(1024 * 1024)}`, 200],
    ['huge Content-Length value', `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n`, 400],
  ];
  const got: string[] = [];
  for (const [name, bytes, want] of cases) {
    const answer = await exchange(port, bytes);
    assert.equal(statusOf(answer), want, `${name}: ${answer.slice(0, 100)}`);
    got.push(`${name} ${statusOf(answer)}`);
  }
  await server.close(100);
  figure('oversized input', got.join(', '));
});

/** tryTls resolves with the negotiated protocol and cipher, or the error code. */
function tryTls(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    let s: ReturnType<typeof tlsConnect>;
    try {
      s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options }, () => {
        resolve(`${s.getProtocol()} ${s.getCipher().name}`);
        s.destroy();
      });
    } catch (error) {
      resolve(`refused ${(error as NodeJS.ErrnoException).code}`); // this OpenSSL does not know the suite
      return;
    }
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`refused ${e.code ?? e.message}`));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve('refused timeout');
    });
  });
}

test('TLS: 1.0 and 1.1 refused, TLS 1.2 only with forward-secret AEAD suites, 1.3 accepted', async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' } as Parameters<typeof generate>[1]);
  const server = createServer((_req, res) => res.end('ok'), { tls: { key: pems.private, cert: pems.cert } });
  const { port } = await server.listen(0, '127.0.0.1');
  // a permissive node:tls server shows the client really offers what is tried (else the test proves nothing)
  const control = createTlsServer({ key: pems.private, cert: pems.cert, minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' }, (s) => s.end());
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const controlPort = (control.address() as { port: number }).port;
  try {
    await tlsCases(port, controlPort);
  } finally {
    control.close();
    await server.close(100);
  }
});

async function tlsCases(port: number, controlPort: number): Promise<void> {
  const old = { ciphers: 'ALL:@SECLEVEL=0' };
  const refusedCases: Array<[string, ConnectionOptions]> = [
    ['TLS 1.0', { ...old, minVersion: 'TLSv1', maxVersion: 'TLSv1' }],
    ['TLS 1.1', { ...old, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' }],
    ...['AES128-SHA', 'AES256-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES128-SHA', 'DES-CBC3-SHA', 'AES128-GCM-SHA256'].map(
      (cipher): [string, ConnectionOptions] => [`TLS 1.2 ${cipher}`, { ciphers: `${cipher}:@SECLEVEL=0`, maxVersion: 'TLSv1.2' }],
    ),
  ];
  const refused: string[] = [];
  const untestable: string[] = [];
  for (const [name, options] of refusedCases) {
    if ((await tryTls(controlPort, options)).startsWith('refused')) {
      untestable.push(name); // this OpenSSL build cannot offer it at all: nothing to refuse
      continue;
    }
    const result = await tryTls(port, options);
    assert.match(result, /^refused/, `${name} was accepted: ${result}`);
    refused.push(name);
  }
  const tls12 = await tryTls(port, { maxVersion: 'TLSv1.2' });
  const tls13 = await tryTls(port, { minVersion: 'TLSv1.3' });
  assert.match(tls12, /^TLSv1\.2 (ECDHE|DHE)-(RSA|ECDSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  assert.match(tls13, /^TLSv1\.3 TLS_/);
  figure(
    'TLS',
    `refused: ${refused.join(', ')}${untestable.length > 0 ? ` (client cannot offer: ${untestable.join(', ')})` : ''}; accepted: ${tls12}, ${tls13}`,
  );
  assert.ok(refused.includes('TLS 1.0') || untestable.includes('TLS 1.0'));
}
