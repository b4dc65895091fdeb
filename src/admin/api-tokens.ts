/**
 * Bearer tokens for the admin API. A token is `swd_<id>_<secret>`; Redis keeps
 * only the SHA-256 of the secret (the secret is shown once, at creation), and
 * verification compares digests in constant time. A token belongs to one
 * tenant, or to `*` for an operator who manages every tenant.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeySchema } from '../store/keys.js';
import type { RedisClient } from '../store/redis-connection.js';

export const ALL_TENANTS = '*';

export interface TokenInfo {
  readonly id: string;
  /** The tenant the token may manage, or `*`. */
  readonly tenant: string;
  readonly name: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

interface StoredToken extends Omit<TokenInfo, 'id'> {
  readonly sha256: string;
}

const TOKEN = /^swd_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

export class ApiTokens {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
  ) {}

  /** Creates a token; the returned string is the only copy of its secret. */
  async create(tenant: string, name: string, createdBy: string): Promise<{ token: string; info: TokenInfo }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const info: TokenInfo = { id, tenant, name, createdAt: new Date().toISOString(), createdBy };
    const stored: StoredToken = { tenant, name, createdAt: info.createdAt, createdBy, sha256: digest(secret).toString('hex') };
    await this.client.hset(this.keys.tokens, id, JSON.stringify(stored));
    return { token: `swd_${id}_${secret}`, info };
  }

  /** True when a token with that id existed. */
  async revoke(id: string): Promise<boolean> {
    return (await this.client.hdel(this.keys.tokens, id)) === 1;
  }

  async list(): Promise<TokenInfo[]> {
    const all = await this.client.hgetall(this.keys.tokens);
    return Object.entries(all).flatMap(([id, json]) => {
      const stored = parseStored(json);
      return stored ? [infoOf(id, stored)] : [];
    });
  }

  /** The token's identity, or undefined for anything not a live token. */
  async verify(token: string): Promise<TokenInfo | undefined> {
    const match = TOKEN.exec(token);
    if (match === null) return undefined;
    const [, id, secret] = match as unknown as [string, string, string];
    const stored = await this.stored(id);
    if (stored === undefined) return undefined;
    const expected = Buffer.from(stored.sha256, 'hex');
    const actual = digest(secret);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return infoOf(id, stored);
  }

  /** The token with this id while it is not revoked: what a console session signed in with it checks on each request. */
  async live(id: string): Promise<TokenInfo | undefined> {
    const stored = await this.stored(id);
    return stored && infoOf(id, stored);
  }

  private async stored(id: string): Promise<StoredToken | undefined> {
    return parseStored((await this.client.hget(this.keys.tokens, id)) ?? '');
  }
}

const infoOf = (id: string, { tenant, name, createdAt, createdBy }: StoredToken): TokenInfo => ({ id, tenant, name, createdAt, createdBy });

function parseStored(json: string): StoredToken | undefined {
  try {
    const value = JSON.parse(json) as Partial<StoredToken>;
    if (typeof value.tenant === 'string' && typeof value.sha256 === 'string' && typeof value.name === 'string') return value as StoredToken;
  } catch {
    // not a token record
  }
  return undefined;
}
