// --trust-proxy for the serving commands.
import { ProxyTrust } from '../server/trust-proxy.js';
import { CliError } from './output.js';

/** Help lines the serving commands add to their usage text. */
export const TRUST_PROXY_USAGE = `      --trust-proxy LIST believe X-Forwarded-For/-Proto/-Host and Forwarded from these peers
                         (comma-separated addresses, CIDRs, or loopback); the log shows the real client\n`;

/** parseTrustProxy splits `--trust-proxy`'s comma list and checks every entry; throws CliError (exit 2). */
export function parseTrustProxy(command: string, text: string): string[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  try {
    if (entries.length === 0) throw new RangeError('empty list');
    new ProxyTrust(entries);
  } catch (error) {
    const bad = entries.find((e) => {
      try {
        new ProxyTrust([e]);
        return false;
      } catch {
        return true;
      }
    });
    throw new CliError(`${command}: invalid --trust-proxy entry '${bad ?? text}' (an IP address, a CIDR like 10.0.0.0/8, or loopback)`, 2, { cause: error });
  }
  return entries;
}
