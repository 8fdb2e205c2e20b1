// TLS material for `wirehttp serve --tls` (a cached self-signed certificate) and `--cert/--key`.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './output.js';

/** TlsMaterial is what the engine needs plus what the banner prints. */
export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, colon-separated hex (what browsers show). */
  fingerprint: string;
  /** Where a self-signed certificate is kept, and whether this run made it. */
  cached?: { dir: string; created: boolean };
}

/** Names the self-signed certificate is valid for (subjectAltName). */
export const SELF_SIGNED_NAMES = ['localhost', '127.0.0.1', '::1'] as const;
const VALID_DAYS = 365;
/** A certificate closer than this to its end is replaced, so a long-running server does not expire mid-session. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/** cacheDir is $XDG_CACHE_HOME/wirehttp, else ~/.cache/wirehttp (the XDG base directory default). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'wirehttp');
}

/**
 * selfSignedTls returns the cached localhost certificate, generating it (with `selfsigned`) on first
 * use or when the cached one is unreadable, expired or about to expire. The key file is written
 * 0600, and both files are written under temporary names then renamed, so a concurrent start never
 * reads half a file. Throws CliError (exit 1) when the cache folder cannot be written.
 */
export async function selfSignedTls(dir = cacheDir()): Promise<TlsMaterial> {
  const certPath = join(dir, 'localhost-cert.pem');
  const keyPath = join(dir, 'localhost-key.pem');
  const cached = readPair(certPath, keyPath);
  if (cached !== undefined && Date.parse(cached.x509.validTo) - Date.now() > RENEW_BEFORE_MS) {
    return { key: cached.key, cert: cached.cert, fingerprint: cached.x509.fingerprint256, cached: { dir, created: false } };
  }
  const { generate } = await import('selfsigned');
  const notBefore = new Date(Date.now() - 60_000); // a little slack for clocks that differ slightly
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'wirehttp development' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomic(keyPath, pems.private, 0o600);
    writeAtomic(certPath, pems.cert, 0o644);
  } catch (error) {
    throw new CliError(`serve: cannot keep the certificate in ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256, cached: { dir, created: true } };
}

/** filesTls reads `--cert` and `--key` and checks they are PEM and belong together; throws CliError (exit 1). */
export function filesTls(certPath: string, keyPath: string): TlsMaterial {
  const cert = readOrExplain(certPath, '--cert');
  const key = readOrExplain(keyPath, '--key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new CliError(`serve: ${certPath} is not a PEM certificate`, 1, { cause: error });
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('mismatch');
  } catch (error) {
    throw new CliError(`serve: ${keyPath} is not the private key of ${certPath}`, 1, { cause: error });
  }
  return { key, cert, fingerprint: x509.fingerprint256 };
}

function readPair(certPath: string, keyPath: string): { cert: string; key: string; x509: X509Certificate } | undefined {
  try {
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key, x509 };
  } catch {
    return undefined; // absent or damaged: make a new one
  }
}

function readOrExplain(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`serve: cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1, { cause: error });
  }
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // the umask may have taken bits away from `mode`
  renameSync(tmp, path);
}
