import { createSessions, createStoreFromUrl, type SessionMiddleware } from '../../src/index.js';
import { mountLogin } from '../login/login.js';
import type { DemoOptions } from './demo.js';

/** Extras are the parts of the demo that need configuration: the session store and the login example. */
export interface Extras extends DemoOptions {
  session: SessionMiddleware;
  /** A line for the terminal (which store). */
  note?: string;
  close?: () => Promise<void>;
}

/**
 * loadExtras wires sessions (memory by default, SESSION_STORE=redis://… to share them between
 * instances) and the login example. SESSION_SECRET signs the cookies; without it a memory store gets
 * a random secret quietly (its sessions end with the process anyway), a Redis store gets one with a
 * warning, since instances would then not accept each other's cookies.
 */
export async function loadExtras(env: NodeJS.ProcessEnv): Promise<Extras> {
  const url = env.SESSION_STORE;
  const memory = url === undefined || url === '' || url === 'memory';
  const store = await createStoreFromUrl(url);
  const secret = env.SESSION_SECRET || (memory ? randomSecret() : undefined);
  const session = createSessions({ secret, store });
  return {
    session,
    login: mountLogin,
    note: `sessions: ${memory ? 'memory' : url.replace(/\/\/[^@/]*@/, '//***@')}`,
    close: async () => void (await store.close?.()),
  };
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}
