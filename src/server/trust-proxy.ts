import { BlockList, isIP } from 'node:net';
import type { HeaderList } from '../wire/index.js';

/** Scheme the client used, as far as the server can tell. */
export type Scheme = 'http' | 'https';

/** Forwarded facts about a request: who the client is, which scheme and Host it asked with. */
export interface ForwardedFacts {
  readonly clientAddress: string;
  readonly scheme: Scheme;
  /** The Host the client asked for (a trusted proxy's X-Forwarded-Host/host=, else the Host field). */
  readonly host: string | undefined;
}

/** Shorthands accepted in a trust list. */
const NAMED: Record<string, ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
};

/**
 * ProxyTrust says which peers are proxies whose forwarding headers are believed. Built from a list of
 * addresses, CIDR ranges (IPv4 and IPv6) and the shorthand 'loopback'; IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`, what a dual-stack socket reports) match their IPv4 entries.
 */
export class ProxyTrust {
  private readonly list = new BlockList();

  /** Throws RangeError naming the first entry that is not an address, a CIDR or a known shorthand. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const named = NAMED[entry.toLowerCase()];
      if (named !== undefined) {
        for (const [net, prefix, type] of named) this.list.addSubnet(net, prefix, type);
        continue;
      }
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      const max = family === 4 ? 32 : 128;
      const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1);
      const prefix = Number(prefixText);
      if (family === 0 || !/^\d{1,3}$/.test(prefixText) || prefix > max) {
        throw new RangeError(`trustProxy: '${raw}' is not an IP address, a CIDR range or 'loopback'`);
      }
      this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** trusts reports whether `address` (as a socket reports it) is a listed proxy. */
  trusts(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * resolveForwarded works out the client of a request that reached us from `peer`. Unless the peer is a
 * trusted proxy, the peer is the client and every forwarding header is ignored (anyone can send them).
 * Otherwise the hop list (RFC 7239 `Forwarded` for=, or `X-Forwarded-For`) is walked right to left,
 * skipping trusted hops: the first untrusted hop is the client, and the scheme and Host are those the
 * proxy that received the client reported. A malformed hop stops the walk at the proxy that reported it.
 * A proxy maintains one of the two header families and passes the other through from the client, so
 * when both are present and name a different client, neither is believed (the peer is the client).
 */
export function resolveForwarded(
  trust: ProxyTrust | undefined,
  peer: string,
  secure: boolean,
  headers: HeaderList,
  host = headers.get('host'),
): ForwardedFacts {
  const direct: ForwardedFacts = { clientAddress: peer, scheme: secure ? 'https' : 'http', host };
  if (trust === undefined || !trust.trusts(peer)) return direct;
  const forwarded = headers.has('forwarded') ? fromForwarded(trust, direct, headers.getAll('forwarded')) : undefined;
  const xff = headers.has('x-forwarded-for') ? fromXForwarded(trust, direct, headers) : undefined;
  if (forwarded === null || xff === null) return direct; // unparseable: believe nothing
  if (forwarded !== undefined && xff !== undefined) {
    return forwarded.clientAddress === xff.clientAddress && forwarded.scheme === xff.scheme ? forwarded : direct;
  }
  return forwarded ?? xff ?? fromProtoAndHostOnly(direct, headers);
}

interface Hop {
  readonly address: string | undefined;
  readonly proto: string | undefined;
  readonly host: string | undefined;
}

/** walk finds the client among `hops` (nearest last); undefined address = a malformed or hidden hop. */
function walk(trust: ProxyTrust, direct: ForwardedFacts, hops: readonly Hop[]): ForwardedFacts {
  let facts = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop.address === undefined) break;
    facts = {
      clientAddress: hop.address,
      scheme: hop.proto === undefined ? facts.scheme : hop.proto === 'https' ? 'https' : 'http',
      host: hop.host ?? facts.host,
    };
    if (!trust.trusts(hop.address)) break;
  }
  return facts;
}

/** X-Forwarded-For lists hops; X-Forwarded-Proto and -Host are aligned with it from the right. */
function fromXForwarded(trust: ProxyTrust, direct: ForwardedFacts, headers: HeaderList): ForwardedFacts | null {
  const fors = headers.list('x-forwarded-for');
  if (fors.length === 0) return null;
  const protos = headers.list('x-forwarded-proto').map((p) => p.toLowerCase());
  const hosts = headers.list('x-forwarded-host');
  const hops = fors.map((entry, i): Hop => {
    // a proxy that sets (rather than appends) -Proto/-Host gives one value: it belongs to the nearest hops
    const fromRight = fors.length - 1 - i;
    return {
      address: hopAddress(entry),
      proto: protos[Math.max(0, protos.length - 1 - fromRight)],
      host: hosts[Math.max(0, hosts.length - 1 - fromRight)],
    };
  });
  return walk(trust, direct, hops);
}

/** Only X-Forwarded-Proto/-Host from a trusted proxy (it did not say who its client was). */
function fromProtoAndHostOnly(direct: ForwardedFacts, headers: HeaderList): ForwardedFacts {
  const proto = headers.list('x-forwarded-proto').at(-1)?.toLowerCase();
  const host = headers.list('x-forwarded-host').at(-1);
  if (proto === undefined && host === undefined) return direct;
  return { clientAddress: direct.clientAddress, scheme: proto === undefined ? direct.scheme : proto === 'https' ? 'https' : 'http', host: host ?? direct.host };
}

/** RFC 7239 §4: elements separated by commas, pairs by semicolons; values are tokens or quoted strings. */
function fromForwarded(trust: ProxyTrust, direct: ForwardedFacts, values: readonly string[]): ForwardedFacts | null {
  const hops: Hop[] = [];
  for (const value of values) {
    const elements = parseForwarded(value);
    if (elements === null) return null;
    for (const pairs of elements) {
      const forValue = pairs.get('for');
      hops.push({ address: forValue === undefined ? undefined : hopAddress(forValue), proto: pairs.get('proto')?.toLowerCase(), host: pairs.get('host') });
    }
  }
  return hops.length === 0 ? null : walk(trust, direct, hops);
}

/** parseForwarded splits one Forwarded field value into elements of lower-cased name -> value; null if malformed. */
export function parseForwarded(value: string): Array<Map<string, string>> | null {
  const elements: Array<Map<string, string>> = [];
  let pairs = new Map<string, string>();
  let i = 0;
  const n = value.length;
  const skipSpace = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  for (;;) {
    skipSpace();
    const nameStart = i;
    while (i < n && isTokenChar(value.charCodeAt(i))) i++;
    if (i === nameStart || value[i] !== '=') return null;
    const name = value.slice(nameStart, i).toLowerCase();
    i++;
    let v: string;
    if (value[i] === '"') {
      i++;
      v = '';
      for (;;) {
        if (i >= n) return null;
        const c = value[i]!;
        if (c === '"') break;
        if (c === '\\') {
          if (i + 1 >= n) return null;
          v += value[i + 1];
          i += 2;
        } else {
          v += c;
          i++;
        }
      }
      i++;
    } else {
      const start = i;
      while (i < n && isTokenChar(value.charCodeAt(i))) i++;
      if (i === start) return null;
      v = value.slice(start, i);
    }
    if (pairs.has(name)) return null; // RFC 7239 §4: each parameter at most once per element
    pairs.set(name, v);
    skipSpace();
    if (i >= n) break;
    if (value[i] === ';') {
      i++;
    } else if (value[i] === ',') {
      i++;
      elements.push(pairs);
      pairs = new Map();
    } else {
      return null;
    }
  }
  elements.push(pairs);
  return elements;
}

/** hopAddress reads `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1` or `[2001:db8::1]:80`; undefined otherwise ('unknown', `_hidden`). */
function hopAddress(entry: string): string | undefined {
  let address = entry.trim();
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close === -1) return undefined;
    const rest = address.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    address = address.slice(1, close);
    return isIP(address) === 6 ? address : undefined;
  }
  const colon = address.indexOf(':');
  if (colon !== -1 && address.indexOf(':', colon + 1) === -1) {
    if (!/^\d{1,5}$/.test(address.slice(colon + 1))) return undefined;
    address = address.slice(0, colon);
  }
  return isIP(address) === 0 ? undefined : address;
}

/** RFC 9110 §5.6.2 tchar. */
function isTokenChar(c: number): boolean {
  if (c >= 0x30 && c <= 0x39) return true; // 0-9
  if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true; // letters
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}
