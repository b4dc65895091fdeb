/**
 * Signing in and out of the console. The token typed in is sent once, in
 * the body of the sign-in request, and forgotten: the session cookie
 * (HttpOnly, so not even this code sees it) carries the session from then on.
 */
import { ApiFailure, call, holdCsrf } from './api.js';

export interface SessionInfo {
  /** The tenant the session manages, or `*` for all. */
  readonly tenant: string;
  readonly tokenId: string;
  readonly tokenName: string;
  /** The admin's address, as the API judges it. */
  readonly address: string;
  readonly csrf: string;
  readonly idleSeconds: number;
}

export const ALL_TENANTS = '*';

const SESSION = '/v1/session';

export async function signIn(token: string): Promise<SessionInfo> {
  const info = await call<SessionInfo>('POST', SESSION, { json: { token } });
  holdCsrf(info.csrf);
  return info;
}

/** The session the cookie names; `ended` says why there is none (undefined when there never was one). */
export async function currentSession(): Promise<{ session: SessionInfo } | { ended: string | undefined }> {
  try {
    const session = await call<SessionInfo>('GET', SESSION);
    holdCsrf(session.csrf);
    return { session };
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return { ended: err.body.error === 'signed-out' ? undefined : err.body.message };
    throw err;
  }
}

export async function signOut(): Promise<void> {
  await call<void>('DELETE', SESSION);
  holdCsrf(undefined);
}
