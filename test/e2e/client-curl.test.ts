// `wirehttp request` and curl run the same invocations against our server: same exit code, same
// stdout bytes (heads compared without Date, which may tick between the two runs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createServer, type Request, type Response } from '../../src/server/index.js';
import { toolSkip } from '../support/tools.js';

const skip = toolSkip('curl', 'apt-get install -y curl');
const BIN = new URL('../../../bin/wirehttp.js', import.meta.url).pathname;
const DATA = Buffer.alloc(50_000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 37 + (i >> 7)) & 0xff;

interface Run { code: number; stdout: Buffer }

function run(program: 'wirehttp' | 'curl', args: string[], input?: Buffer): Promise<Run> {
  const child = program === 'curl' ? spawn('curl', args) : spawn(process.execPath, [BIN, 'request', ...args]);
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.resume();
  child.stdin.end(input ?? Buffer.alloc(0));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code: code ?? -1, stdout: Buffer.concat(out) });
  }));
}

async function handler(req: Request, res: Response): Promise<void> {
  const body = await req.bytes();
  const redirect = /^\/r(30[12378])$/.exec(req.path);
  if (redirect !== null) {
    res.status(Number(redirect[1])).setHeader('Location', '/echo');
    return res.end(`moved ${redirect[1]}\n`);
  }
  switch (req.path) {
    case '/hi':
      res.setHeader('Content-Type', 'text/plain').setHeader('X-Odd', 'a  b');
      return res.end('hello\n');
    case '/missing':
      res.status(404).setHeader('Content-Type', 'text/plain');
      return res.end('nope\n');
    case '/echo':
      res.setHeader('Content-Type', 'text/plain');
      return res.end(`${req.method} ${req.headers.get('content-type') ?? '-'} ${req.headers.get('content-length') ?? '-'} [${body.toString('latin1')}]\n`);
    case '/data': {
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get('range') ?? '');
      if (m === null) return res.end(DATA);
      const from = Number(m[1]);
      const to = m[2] === '' ? DATA.length - 1 : Math.min(Number(m[2]), DATA.length - 1);
      res.status(206).setHeader('Content-Range', `bytes ${from}-${to}/${DATA.length}`);
      return res.end(DATA.subarray(from, to + 1));
    }
    case '/chunked':
      res.write('one,');
      res.write('two');
      return res.end();
    default:
      res.status(404);
      return res.end();
  }
}

const server = createServer(handler);
let base = '';
before(async () => {
  base = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
});
after(() => server.close(100));

/** withoutDate drops Date field lines so two runs a second apart compare equal. */
const withoutDate = (b: Buffer): string => b.toString('latin1').replace(/^Date: [^\r\n]*\r\n/gim, '');

const invocations: Array<{ name: string; args: (base: string) => string[]; stdin?: Buffer }> = [
  { name: 'GET', args: (b) => [`${b}/hi`] },
  { name: '-I', args: (b) => ['-s', '-I', `${b}/hi`] },
  { name: '-i', args: (b) => ['-s', '-i', `${b}/hi`] },
  { name: '-i chunked', args: (b) => ['-s', '-i', `${b}/chunked`] },
  { name: '-L 302', args: (b) => ['-s', '-L', `${b}/r302`] },
  { name: '-L -i 301 with a body shows both heads', args: (b) => ['-s', '-L', '-i', `${b}/r301`] },
  { name: '-L -d 303 turns POST into GET', args: (b) => ['-s', '-L', '-d', 'k=v', `${b}/r303`] },
  { name: '-L -d 307 keeps the POST', args: (b) => ['-s', '-L', '-d', 'k=v', `${b}/r307`] },
  { name: 'no -L shows the redirect body', args: (b) => ['-s', `${b}/r308`] },
  { name: '-f on 404', args: (b) => ['-s', '-f', `${b}/missing`] },
  { name: '404 without -f', args: (b) => ['-s', `${b}/missing`] },
  { name: '-r 0-9', args: (b) => ['-s', '-r', '0-9', `${b}/data`] },
  { name: '-r 49990-', args: (b) => ['-s', '-r', '49990-', `${b}/data`] },
  { name: 'whole binary body', args: (b) => ['-s', `${b}/data`] },
  { name: '-d', args: (b) => ['-s', '-d', 'a=1', '-d', 'b=two', `${b}/echo`] },
  { name: '--data-binary @- with stdin', args: (b) => ['-s', '--data-binary', '@-', `${b}/echo`], stdin: Buffer.from('line one\nline two\r\n\u0000end', 'latin1') },
  { name: '-X PUT -d', args: (b) => ['-s', '-X', 'PUT', '-d', 'x', `${b}/echo`] },
  { name: '-w %{http_code}', args: (b) => ['-s', '-o', '/dev/null', '-w', '%{http_code} %{num_redirects}', '-L', `${b}/r307`] },
];

for (const inv of invocations) {
  test(`same as curl: ${inv.name}`, { skip }, async () => {
    const args = inv.args(base);
    const [ours, curl] = await Promise.all([run('wirehttp', args, inv.stdin), run('curl', args, inv.stdin)]);
    assert.equal(ours.code, curl.code, 'exit code');
    assert.equal(withoutDate(ours.stdout), withoutDate(curl.stdout), 'stdout');
  });
}
