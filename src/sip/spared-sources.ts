/**
 * Which sources the edge never sheds, by ban or by rate limit: an address
 * of the never-ban list (with the trusted proxies), or one that an enabled
 * list or country set of any tenant allows (one drachtio-server serves every
 * tenant: a NAT address one tenant allows must not be shed for all). The
 * lists' answer is kept per source until the lists change: checking every
 * list is the costly part, and a flooding source asks again and again.
 */
import { CidrMatcher, NO_MATCH, parseCidrList } from '../policy/index.js';

/** What the rules ask of the lists (ListCache). */
export interface ListGuard {
  allowsAnywhere(source: string): boolean;
  /** Moves whenever the lists change. */
  readonly version: number;
}

export type SpareReason = 'never-ban' | 'listed';

/** Sources whose answer is kept; past it the kept answers are dropped and asked again. */
const MAX_KEPT = 16_384;

export class SparedSources {
  private readonly neverBan: CidrMatcher;
  private readonly kept = new Map<string, { readonly version: number; readonly reason: SpareReason | undefined }>();

  /** `neverBan`: comma-separated addresses and blocks. */
  constructor(
    neverBan: string,
    readonly guard: ListGuard,
  ) {
    const parsed = parseCidrList(neverBan);
    if (!parsed.ok) throw new Error(`never-ban list: ${parsed.message}`);
    this.neverBan = CidrMatcher.compile(parsed.list);
  }

  /** True when `address` was found spared and the lists have not changed since: not worth counting. */
  knownSpared(address: string): boolean {
    const kept = this.kept.get(address);
    return kept !== undefined && kept.reason !== undefined && kept.version === this.guard.version;
  }

  /** Why `address` must not be shed, or undefined when it may be. */
  reason(address: string): SpareReason | undefined {
    const version = this.guard.version;
    const kept = this.kept.get(address);
    if (kept !== undefined && kept.version === version) return kept.reason;
    const reason = this.neverBan.lookup(address) !== NO_MATCH ? 'never-ban' : this.guard.allowsAnywhere(address) ? 'listed' : undefined;
    if (this.kept.size >= MAX_KEPT) this.kept.clear();
    this.kept.set(address, { version, reason });
    return reason;
  }
}
