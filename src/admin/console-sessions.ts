/**
 * Sessions of the admin console: a browser signs in with an API token once
 * and then holds only a random session id in an HttpOnly cookie. Redis keeps
 * each session under the SHA-256 of its id (`sipwarden:session:<sha256>`),
 * so every admin process sees it and a copy of Redis gives no usable id;
 * the key's TTL is the idle expiry, renewed by each request. The session
 * names the token it was opened with, never its secret: the token is looked
 * up on every request, so revoking it ends its sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KeySchema } from '../store/keys.js';
import type { RedisClient } from '../store/redis-connection.js';
import type { TokenInfo } from './api-tokens.js';

export interface ConsoleSession {
  /** The token it was signed in with: its id and creation time (a token made anew under the same id is another token). */
  readonly tokenId: string;
  readonly tokenCreatedAt: string;
  /** The CSRF token every change made in this session must send back (X-CSRF-Token). */
  readonly csrf: string;
  readonly createdAt: string;
}

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

/** A session id or CSRF token: 256 random bits. */
const secret = () => randomBytes(32).toString('base64url');

export class ConsoleSessions {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
    /** Idle expiry: a session no request used for this long is gone. */
    readonly idleMs: number,
  ) {}

  /** Opens a session for the token; the id returned is the only copy of it. */
  async open(token: TokenInfo): Promise<{ id: string; session: ConsoleSession }> {
    const id = secret();
    const session: ConsoleSession = { tokenId: token.id, tokenCreatedAt: token.createdAt, csrf: secret(), createdAt: new Date().toISOString() };
    await this.client.set(this.keys.session(digest(id)), JSON.stringify(session), 'PX', this.idleMs);
    return { id, session };
  }

  /** The session with this id, its idle expiry renewed; undefined when there is none (never opened, signed out, idle too long). */
  async use(id: string): Promise<ConsoleSession | undefined> {
    const key = this.keys.session(digest(id));
    const [[, json]] = (await this.client.multi().get(key).pexpire(key, this.idleMs).exec()) as [[Error | null, string | null], unknown];
    return json === null ? undefined : parseSession(json);
  }

  async close(id: string): Promise<void> {
    await this.client.del(this.keys.session(digest(id)));
  }
}

function parseSession(json: string): ConsoleSession | undefined {
  try {
    const value = JSON.parse(json) as Partial<ConsoleSession>;
    if (typeof value.tokenId === 'string' && typeof value.csrf === 'string' && typeof value.tokenCreatedAt === 'string') return value as ConsoleSession;
  } catch {
    // not a session record
  }
  return undefined;
}
