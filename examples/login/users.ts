import { scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The demo's one user. Only a salted scrypt hash of the password is kept, as a real app stores it:
 * `scrypt$N$r$p$salt$hash` (base64url). The password is `networking`, printed on the login page.
 */
export const DEMO_USER = { name: 'student', password: 'networking' } as const;

const USERS: ReadonlyMap<string, string> = new Map([
  ['student', 'scrypt$16384$8$1$IiZp0awTytkBgaqKQLju-Q$aq5FguZ86HjZngivc23hYdR3U9x-U32YYalgCwnlc1o'],
]);

/** Compared against when the user name is unknown, so both failures take the same time. */
const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** checkPassword resolves true when `password` is the user's; unknown users cost as much as wrong passwords. */
export async function checkPassword(user: string, password: string): Promise<boolean> {
  const stored = USERS.get(user);
  const ok = await matches(stored ?? DUMMY, password);
  return stored !== undefined && ok;
}

async function matches(stored: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options: ScryptOptions = { N: Number(n), r: Number(r), p: Number(p) };
  const derived = await new Promise<Buffer>((resolve, reject) => scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, options, (e, key) => (e === null ? resolve(key) : reject(e))));
  return timingSafeEqual(derived, expected);
}
