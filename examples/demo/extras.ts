import type { SessionMiddleware } from '../../src/index.js';
import type { DemoOptions, LoginMounter } from './demo.js';

/** Extras are the parts of the demo that come from optional modules: sessions and the login example. */
export interface Extras extends DemoOptions {
  /** A line for the terminal (which store, or why login is missing). */
  note?: string;
  close?: () => Promise<void>;
}

/**
 * optionalImport loads a module that may not exist yet (sessions and the login example are developed
 * alongside the demo): undefined when that very file is missing, any other failure is thrown. The
 * specifier is a variable so that tsc does not require the file at build time.
 */
async function optionalImport(specifier: string): Promise<Record<string, unknown> | undefined> {
  const url = new URL(specifier, import.meta.url);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { url?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.url === url.href || String(e.message).includes(url.pathname))) return undefined;
    throw error;
  }
}

/**
 * loadExtras wires memory sessions (or SESSION_STORE=redis://…) and the login example when their
 * modules are present; the demo runs without them otherwise.
 */
export async function loadExtras(env: NodeJS.ProcessEnv): Promise<Extras> {
  const sessions = await optionalImport('../../src/app/session/index.js');
  const login = (await optionalImport('../login/index.js')) ?? (await optionalImport('../login/login.js'));
  if (sessions === undefined || typeof sessions.createSessions !== 'function') return { note: 'sessions are not available in this build: the login example is off' };
  const secret = env.SESSION_SECRET ?? randomSecret();
  let store: unknown;
  let close: (() => Promise<void>) | undefined;
  const url = env.SESSION_STORE;
  if (url !== undefined && url !== '' && url !== 'memory') {
    const makeRedis = sessions.createRedisStore ?? sessions.redisStore;
    if (typeof makeRedis !== 'function') throw new Error('SESSION_STORE: this build has no Redis session store');
    store = await (makeRedis as (u: string) => unknown)(url);
    const closable = store as { close?: () => Promise<void> | void };
    if (typeof closable.close === 'function') close = async () => void (await closable.close!());
  }
  const session = (sessions.createSessions as (o: Record<string, unknown>) => SessionMiddleware)({ secret, store });
  const mount = login?.mountLogin ?? login?.createLoginApp ?? login?.default;
  const extras: Extras = { session, close, note: `sessions: ${url !== undefined && url !== '' && url !== 'memory' ? url.replace(/\/\/[^@/]*@/, '//***@') : 'memory'}` };
  if (typeof mount === 'function') extras.login = mount as LoginMounter;
  return extras;
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}
