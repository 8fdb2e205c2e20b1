import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { HeaderList } from '../wire/index.js';
import { createServer } from './server.js';
import { parseForwarded, ProxyTrust, resolveForwarded, type ForwardedFacts } from './trust-proxy.js';

const LB = ['loopback'];
const NETS = ['10.0.0.0/8', '2001:db8:aa::/48', '192.0.2.7'];

interface Case {
  name: string;
  trust: string[] | undefined;
  peer: string;
  secure?: boolean;
  headers: string[];
  want: Partial<ForwardedFacts>;
}

const cases: Case[] = [
  // off by default: every header ignored
  { name: 'no trust list: XFF ignored', trust: undefined, peer: '127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'https'], want: { clientAddress: '127.0.0.1', scheme: 'http' } },
  { name: 'no trust list: Forwarded ignored', trust: undefined, peer: '127.0.0.1', headers: ['Forwarded', 'for=203.0.113.9;proto=https'], want: { clientAddress: '127.0.0.1', scheme: 'http' } },
  { name: 'TLS without a proxy is https', trust: undefined, peer: '198.51.100.1', secure: true, headers: [], want: { scheme: 'https' } },
  { name: 'no forwarding headers: the peer', trust: LB, peer: '127.0.0.1', headers: ['Host', 'a.example'], want: { clientAddress: '127.0.0.1', scheme: 'http', host: 'a.example' } },
  // spoofing attempts from untrusted peers
  { name: 'spoof: untrusted peer sends XFF', trust: LB, peer: '198.51.100.1', headers: ['X-Forwarded-For', '127.0.0.1'], want: { clientAddress: '198.51.100.1' } },
  { name: 'spoof: untrusted peer sends Forwarded', trust: LB, peer: '198.51.100.1', headers: ['Forwarded', 'for=127.0.0.1;proto=https;host=bank.example'], want: { clientAddress: '198.51.100.1', scheme: 'http' } },
  { name: 'spoof: untrusted peer sends X-Forwarded-Proto/Host', trust: LB, peer: '198.51.100.1', headers: ['Host', 'real.example', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil.example'], want: { scheme: 'http', host: 'real.example' } },
  { name: 'spoof: client prepends a fake hop, proxy appends the real one', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', '1.1.1.1, 203.0.113.9'], want: { clientAddress: '203.0.113.9' } },
  { name: 'spoof: client claims a trusted address before the real hop', trust: NETS, peer: '10.1.1.1', headers: ['X-Forwarded-For', '10.9.9.9, 203.0.113.9'], want: { clientAddress: '203.0.113.9' } },
  { name: 'spoof: client-sent Forwarded disagrees with the proxy XFF: believe neither', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for=1.1.1.1', 'X-Forwarded-For', '203.0.113.9'], want: { clientAddress: '127.0.0.1' } },
  { name: 'spoof: mapped IPv6 untrusted peer', trust: LB, peer: '::ffff:198.51.100.1', headers: ['X-Forwarded-For', '127.0.0.1'], want: { clientAddress: '::ffff:198.51.100.1' } },
  // chains
  { name: 'XFF one hop', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9'], want: { clientAddress: '203.0.113.9', scheme: 'http' } },
  { name: 'XFF with ports', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9:5555'], want: { clientAddress: '203.0.113.9' } },
  { name: 'XFF two trusted hops', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9, 192.0.2.7, 10.2.3.4'], want: { clientAddress: '203.0.113.9' } },
  { name: 'XFF over two fields', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9', 'X-Forwarded-For', '10.2.3.4'], want: { clientAddress: '203.0.113.9' } },
  { name: 'XFF every hop trusted: the leftmost', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', '10.3.3.3, 10.2.2.2'], want: { clientAddress: '10.3.3.3' } },
  { name: 'XFF IPv6 hop', trust: LB, peer: '::1', headers: ['X-Forwarded-For', '2001:db8::5'], want: { clientAddress: '2001:db8::5' } },
  { name: 'XFF bracketed IPv6 with port', trust: LB, peer: '::1', headers: ['X-Forwarded-For', '[2001:db8::5]:4711'], want: { clientAddress: '2001:db8::5' } },
  { name: 'XFF IPv6 CIDR trusted hop', trust: NETS, peer: '2001:db8:aa::1', headers: ['X-Forwarded-For', '203.0.113.9, 2001:db8:aa:1::2'], want: { clientAddress: '203.0.113.9' } },
  { name: 'XFF mapped IPv4 peer is trusted as IPv4', trust: LB, peer: '::ffff:127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9'], want: { clientAddress: '203.0.113.9' } },
  { name: 'XFF malformed nearest hop: stays at the proxy', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9, nonsense'], want: { clientAddress: '127.0.0.1' } },
  { name: 'XFF malformed far hop: the trusted hop that reported it', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', 'unknown, 10.2.2.2'], want: { clientAddress: '10.2.2.2' } },
  { name: 'XFF empty value: believe nothing', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', ' '], want: { clientAddress: '127.0.0.1' } },
  // scheme and host
  { name: 'X-Forwarded-Proto https', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'HTTPS'], want: { scheme: 'https' } },
  { name: 'X-Forwarded-Proto aligned from the right', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9, 10.2.2.2', 'X-Forwarded-Proto', 'https, http'], want: { clientAddress: '203.0.113.9', scheme: 'https' } },
  { name: 'X-Forwarded-Proto set once by the edge proxy', trust: NETS, peer: '10.0.0.1', headers: ['X-Forwarded-For', '203.0.113.9, 10.2.2.2', 'X-Forwarded-Proto', 'https'], want: { scheme: 'https' } },
  { name: 'X-Forwarded-Host', trust: LB, peer: '127.0.0.1', headers: ['Host', 'backend:8080', 'X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Host', 'www.example'], want: { host: 'www.example' } },
  { name: 'X-Forwarded-Proto alone from a trusted proxy', trust: LB, peer: '127.0.0.1', headers: ['X-Forwarded-Proto', 'https'], want: { clientAddress: '127.0.0.1', scheme: 'https' } },
  { name: 'TLS to us, proxy says http', trust: LB, peer: '127.0.0.1', secure: true, headers: ['X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'http'], want: { scheme: 'http' } },
  // RFC 7239
  { name: 'Forwarded one element', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for=192.0.2.60;proto=https;by=203.0.113.43;host=w.example'], want: { clientAddress: '192.0.2.60', scheme: 'https', host: 'w.example' } },
  { name: 'Forwarded quoted IPv6 with port', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'For="[2001:db8:cafe::17]:4711"'], want: { clientAddress: '2001:db8:cafe::17' } },
  { name: 'Forwarded chain skips trusted hops', trust: NETS, peer: '10.0.0.1', headers: ['Forwarded', 'for=198.51.100.17;proto=https, for=10.4.4.4;proto=http'], want: { clientAddress: '198.51.100.17', scheme: 'https' } },
  { name: 'Forwarded over two fields', trust: NETS, peer: '10.0.0.1', headers: ['Forwarded', 'for=198.51.100.17', 'Forwarded', 'for=10.4.4.4'], want: { clientAddress: '198.51.100.17' } },
  { name: 'Forwarded obfuscated hop stops the walk', trust: NETS, peer: '10.0.0.1', headers: ['Forwarded', 'for=198.51.100.17, for=_hidden, for=10.4.4.4'], want: { clientAddress: '10.4.4.4' } },
  { name: 'Forwarded unknown nearest hop: the peer', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for=unknown'], want: { clientAddress: '127.0.0.1' } },
  { name: 'Forwarded malformed: believe nothing', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for=1.2.3.4;;proto=https'], want: { clientAddress: '127.0.0.1', scheme: 'http' } },
  { name: 'Forwarded unterminated quote: believe nothing', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for="1.2.3.4'], want: { clientAddress: '127.0.0.1' } },
  { name: 'Forwarded and XFF agree', trust: LB, peer: '127.0.0.1', headers: ['Forwarded', 'for=203.0.113.9;proto=https', 'X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'https'], want: { clientAddress: '203.0.113.9', scheme: 'https' } },
];

for (const c of cases) {
  test(`trustProxy: ${c.name}`, () => {
    const trust = c.trust === undefined ? undefined : new ProxyTrust(c.trust);
    const got = resolveForwarded(trust, c.peer, c.secure ?? false, new HeaderList(c.headers));
    for (const [key, value] of Object.entries(c.want)) assert.equal(got[key as keyof ForwardedFacts], value, key);
  });
}

const listCases: Array<{ entries: string[]; address: string; want: boolean | 'throws' }> = [
  { entries: ['loopback'], address: '127.9.9.9', want: true },
  { entries: ['loopback'], address: '::1', want: true },
  { entries: ['loopback'], address: '::ffff:127.0.0.1', want: true },
  { entries: ['loopback'], address: '10.0.0.1', want: false },
  { entries: ['10.0.0.0/8'], address: '10.255.0.1', want: true },
  { entries: ['10.0.0.0/8'], address: '11.0.0.1', want: false },
  { entries: ['192.0.2.7'], address: '192.0.2.8', want: false },
  { entries: ['2001:db8::/32'], address: '2001:db8:1::1', want: true },
  { entries: ['2001:db8::/32'], address: '2001:db9::1', want: false },
  { entries: ['not-an-ip'], address: '', want: 'throws' },
  { entries: ['10.0.0.0/33'], address: '', want: 'throws' },
  { entries: ['10.0.0.0/'], address: '', want: 'throws' },
  { entries: ['::1/129'], address: '', want: 'throws' },
];
for (const c of listCases) {
  test(`ProxyTrust ${c.entries.join(',')} ${c.want === 'throws' ? 'is rejected' : `${c.want ? 'trusts' : 'does not trust'} ${c.address}`}`, () => {
    if (c.want === 'throws') assert.throws(() => new ProxyTrust(c.entries), RangeError);
    else assert.equal(new ProxyTrust(c.entries).trusts(c.address), c.want);
  });
}

test('parseForwarded reads quoted strings with escapes and several elements', () => {
  const got = parseForwarded('for="\\"x\\"";by=a, for=b ;proto=https');
  assert.deepEqual(got?.map((m) => Object.fromEntries(m)), [{ for: '"x"', by: 'a' }, { for: 'b', proto: 'https' }]);
  assert.equal(parseForwarded('for=a;for=b'), null);
  assert.equal(parseForwarded('for=a,'), null);
});

test('trustProxy reaches the request: clientAddress, scheme and host from a trusted loopback peer', async () => {
  for (const trustProxy of [undefined, ['loopback']]) {
    const server = createServer((req, res) => res.end(`${req.clientAddress} ${req.scheme} ${req.host}`), trustProxy === undefined ? {} : { trustProxy });
    const { port } = await server.listen(0, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () =>
        s.write('GET / HTTP/1.1\r\nHost: b\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: w.example\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      s.on('data', (c: Buffer) => (data += c.toString()));
      s.on('close', () => resolve(data.slice(data.indexOf('\r\n\r\n') + 4)));
    });
    assert.equal(answer, trustProxy === undefined ? '127.0.0.1 http b' : '203.0.113.9 https w.example');
    await server.close(100);
  }
});
