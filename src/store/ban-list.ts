/**
 * The ban list (issue 14's auto-ban) in Redis: a plain set of addresses,
 * the form drachtio-server's own blacklist reads with SMEMBERS (v0.9.10
 * reads it only once, so the edges enforce it: see auto-ban.ts, and the
 * kernel ban sink in src/shed/); beside it the ban's expiry
 * (set members have no TTL) and why it was made. Bans are made and lifted
 * by scripts (ban.lua, unban.lua), so the three keys never disagree.
 */
import type { KeySchema } from './keys.js';
import type { RedisClient } from './redis-connection.js';
import { type BanKeys, banAddress, unbanAddresses } from './redis-scripts.js';

export interface BanInfo {
  /** When the ban was made, ms since the epoch. */
  readonly at: number;
  readonly reason: string;
  /** The tenant and scope whose denials crossed the threshold. */
  readonly tenant?: string;
  readonly scope?: string;
  readonly denials?: number;
  /** The edge (or admin) that made it. */
  readonly by: string;
}

export interface Ban extends Partial<BanInfo> {
  readonly address: string;
  /** ms since the epoch; absent for a member added by hand (banned until removed). */
  readonly until?: number;
}

export class RedisBanList {
  private readonly keys: BanKeys;

  constructor(
    private readonly client: RedisClient,
    keys: KeySchema,
  ) {
    this.keys = keys.bans;
  }

  /** The set's key: the one a drachtio-server's --blacklist-redis-key would name. */
  get setKey(): string {
    return this.keys.set;
  }

  /** Bans `address` until `until` (ms), or extends its ban; true for a new ban. */
  ban(address: string, until: number, info: BanInfo): Promise<boolean> {
    return banAddress(this.client, this.keys, address, until, { ...info, until });
  }

  /** Lifts the bans of `addresses` and every ban expired by `now`; the addresses lifted. */
  lift(now: number, addresses: readonly string[] = []): Promise<string[]> {
    return unbanAddresses(this.client, this.keys, now, addresses);
  }

  async list(): Promise<Ban[]> {
    const [[, members], [, info]] = (await this.client.multi().smembers(this.keys.set).hgetall(this.keys.info).exec()) as [[unknown, string[]], [unknown, Record<string, string>]];
    return members.sort().map((address) => {
      let described: Partial<BanInfo> & { until?: number } = {};
      try {
        const parsed = JSON.parse(info[address] ?? '{}') as unknown;
        if (typeof parsed === 'object' && parsed !== null) described = parsed as typeof described;
      } catch {
        // A description written by hand that is not JSON: the ban shows without one.
      }
      return { ...described, address };
    });
  }
}
