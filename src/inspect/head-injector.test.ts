import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadInjector } from './head-injector.js';

async function run(input: string, cuts: number[]): Promise<string> {
  const injector = new HeadInjector((head) => [`Via: 1.${head.versionMinor} wirehttp`]);
  const out: Buffer[] = [];
  injector.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => injector.on('end', r));
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    injector.write(Buffer.from(input.slice(from, cut), 'latin1'));
    from = cut;
  }
  injector.end();
  await done;
  return Buffer.concat(out).toString('latin1');
}

const cases = [
  {
    name: 'pipelined requests with bodies get a line each, bodies untouched',
    input: 'GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n\r\n\r\r\n0\r\n\r\nGET /x HTTP/1.0\r\n\r\n',
    want: 'GET / HTTP/1.1\r\nHost: a\r\nVia: 1.1 wirehttp\r\n\r\nPOST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nVia: 1.1 wirehttp\r\n\r\n3\r\n\r\n\r\r\n0\r\n\r\nGET /x HTTP/1.0\r\nVia: 1.0 wirehttp\r\n\r\n',
  },
  { name: 'not HTTP passes through as is', input: 'SSH-2.0-x\r\n\r\nmore', want: 'SSH-2.0-x\r\n\r\nmore' },
];

for (const c of cases) {
  test(`HeadInjector: ${c.name}, however the input is split`, async () => {
    assert.equal(await run(c.input, []), c.want);
    for (let cut = 1; cut < c.input.length; cut++) assert.equal(await run(c.input, [cut]), c.want, `cut at ${cut}`);
  });
}
