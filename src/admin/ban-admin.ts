/**
 * The ban list, for admins (issue 14's auto-ban): the sources drachtio-server
 * drops unanswered, and lifting one by hand. The CLI (`sipwarden bans`,
 * `unban`) and the API (GET /v1/bans, DELETE /v1/bans/{address}) both answer
 * from here, so they refuse the same things in the same words.
 */
import { canonicalAddress, isIpAddress } from '../policy/index.js';
import type { Ban, RedisBanList } from '../store/ban-list.js';
import { type AdminResult, fail, shownToken } from './admin-result.js';

/** Why `address` cannot name a ban, or undefined when it can: checked by each front end before it asks (a usage error, a 400). */
export function notAnAddress(address: string): string | undefined {
  return isIpAddress(address) ? undefined : `${JSON.stringify(shownToken(address))} is not an IP address: give one IPv4 or IPv6 address, e.g. 203.0.113.5`;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A ban as `sipwarden bans --json` and GET /v1/bans show it: its times in ISO 8601. */
export const shownBan = (ban: Ban) => ({ ...ban, at: iso(ban.at), until: iso(ban.until) });

export class BanAdmin {
  constructor(private readonly bans: RedisBanList) {}

  list(): Promise<Ban[]> {
    return this.bans.list();
  }

  /** Lifts the ban of `address` now; each edge checks its requests again from its next sweep. */
  async unban(typed: string): Promise<AdminResult<{ address: string }>> {
    // The edge bans addresses in their one spelling (`2001:DB8::1` is banned as `2001:db8::1`).
    const address = canonicalAddress(typed) ?? typed;
    // The lift sweeps expired bans too, as every edge's sweep does: the list read next is current.
    const lifted = await this.bans.lift(Date.now(), [address]);
    if (!lifted.includes(address)) return fail({ kind: 'not-found', message: `${typed} is not banned` });
    return { ok: true, value: { address } };
  }
}
