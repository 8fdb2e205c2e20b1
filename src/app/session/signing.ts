import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** newSessionId returns 24 random bytes (192 bits) as base64url: unguessable, cookie-safe. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** randomToken returns 32 random bytes as base64url (CSRF tokens, development secrets). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** signId returns `id.signature`, the signature being HMAC-SHA256(secret, id) in base64url. */
export function signId(id: string, secret: string): string {
  return `${id}.${mac(id, secret)}`;
}

/**
 * unsignId returns the id of a cookie value signed with any of `secrets` (the first signs, the others
 * are accepted so a secret can be rotated without logging everyone out), or undefined when the value is
 * unsigned or tampered with. Signatures are compared in constant time.
 */
export function unsignId(value: string, secrets: readonly string[]): string | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0 || dot === value.length - 1) return undefined;
  const id = value.slice(0, dot);
  // The text is compared, not the decoded bytes: the last of 43 base64url characters carries two
  // unused bits, so decoding would accept four spellings of one signature.
  const given = Buffer.from(value.slice(dot + 1), 'latin1');
  if (given.length !== SIGNATURE_CHARS) return undefined;
  let ok = false;
  // every secret is tried, so the time taken does not say which one matched
  for (const secret of secrets) if (timingSafeEqual(given, Buffer.from(mac(id, secret), 'latin1'))) ok = true;
  return ok ? id : undefined;
}

/** HMAC-SHA256 is 32 bytes: 43 base64url characters, unpadded. */
const SIGNATURE_CHARS = 43;

function mac(id: string, secret: string): string {
  return createHmac('sha256', secret).update(id).digest('base64url');
}
