/**
 * A per-source limit on denials, for sources not (yet) banned (issue 14): a
 * source denied more than `perSecond` times within one second has its further
 * requests in that second answered 403 (or dropped, unanswered) before any
 * decision or log line, so one source cannot take the edge's CPU
 * while its ban is on its way. Counted by the packet's own address: a
 * trusted proxy's forwarded clients are never limited (the proxy would be
 * limited for all of them), and a source the spare rules keep (never-ban,
 * allowed by any tenant's list) is never limited either.
 */
import type { DeniedRequest } from './denied-sources.js';
import type { SparedSources } from './spared-sources.js';

export const RATE_LIMIT_ACTIONS = ['reject', 'drop'] as const;
export type RateLimitAction = (typeof RATE_LIMIT_ACTIONS)[number];

/** Sources counted at once; when full, the counts of past seconds are dropped first. */
const MAX_COUNTED = 16_384;

interface Second {
  second: number;
  denials: number;
  limited: boolean;
  /** The source's last decided denial: what a shed request is recorded as. */
  last: DeniedRequest;
}

export class SourceRateLimit {
  private readonly counted = new Map<string, Second>();

  constructor(
    readonly perSecond: number,
    readonly action: RateLimitAction,
    private readonly sparing: SparedSources,
  ) {}

  /**
   * When requests from `address` are to be shed for the rest of this second:
   * its last decided denial, which the shed request is recorded as (who is
   * knocking, auto-ban), so shedding hides nothing from either.
   */
  shedding(address: string, now = Date.now()): DeniedRequest | undefined {
    const entry = this.counted.get(address);
    return entry !== undefined && entry.limited && entry.second === Math.floor(now / 1000) ? entry.last : undefined;
  }

  note(denied: DeniedRequest): void {
    if (denied.forwarded === true) return;
    const second = Math.floor(denied.at / 1000);
    let entry = this.counted.get(denied.address);
    if (entry === undefined || entry.second !== second) {
      if (entry === undefined && this.counted.size >= MAX_COUNTED) this.forgetPast(second);
      if (entry === undefined && this.counted.size >= MAX_COUNTED) return;
      entry = { second, denials: 0, limited: false, last: denied };
      this.counted.set(denied.address, entry);
    }
    entry.last = denied;
    if (++entry.denials === this.perSecond + 1) entry.limited = this.sparing.reason(denied.address) === undefined;
  }

  private forgetPast(second: number): void {
    for (const [address, entry] of this.counted) if (entry.second !== second) this.counted.delete(address);
  }
}
