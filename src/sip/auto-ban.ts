/**
 * Auto-ban (issue 14), off by default: a source denied more than `threshold`
 * times within `windowMs` is put on the ban list for `durationMs`: every
 * edge answers its requests 403 before any other work, and with the kernel
 * ban sink on (SIPWARDEN_BAN_SINK=nftables) the kernel drops them before
 * drachtio-server or the edge see them. Never a source that an enabled list of
 * any tenant allows (one drachtio-server serves every tenant), nor a trusted
 * proxy or an address of the never-ban list. A sweep lifts expired bans and
 * the bans of addresses a list has come to allow (an admin added one).
 *
 * drachtio-server (v0.9.10 and its main branch at the time of writing) reads
 * its blacklist set once: its refresh thread leaves its loop after the first
 * successful SMEMBERS (src/blacklist.cpp, Blacklist::threadFunc,
 * `if (initialized) break;`), so --blacklist-refresh-secs never takes effect
 * and a ban made later reaches drachtio-server only when it restarts. So the
 * edge enforces the list itself as well: every sweep reads the set, and the
 * filter answers a banned source 403 before any other work (isBanned). A
 * BanMirror (the kernel ban sink) gets each ban this edge makes at once and
 * the whole list after each sweep, which is how the bans of other edges and
 * the lifted ones reach it.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { RedisBanList } from '../store/ban-list.js';
import type { DeniedRequest } from './denied-sources.js';
import { sharedMetric } from './shared-metric.js';
import type { SparedSources } from './spared-sources.js';

export interface AutoBanSettings {
  /** Denials within the window past which a source is banned. */
  readonly threshold: number;
  readonly windowMs: number;
  readonly durationMs: number;
  /** How often expired bans (and bans of addresses now allowed) are lifted. */
  readonly sweepMs: number;
  /** Who bans, for the ban's description: this edge. */
  readonly by: string;
}

/** How long a ban this edge made counts as possibly still being written. */
const IN_FLIGHT_MS = 2000;

/** Addresses counted at once; a wider scan is one-off probes that cross no threshold. */
const MAX_COUNTED = 16_384;

/** Where the ban list is mirrored besides the edge's own check (src/shed/nftables-ban-sink.ts). */
export interface BanMirror {
  /** A ban this edge just made, until `until` (ms since the epoch). */
  banned(address: string, until: number): void;
  /** The whole list after a sweep: address -> expiry (undefined: until removed); what is missing is lifted. */
  mirror(bans: ReadonlyMap<string, number | undefined>): void;
}

interface Window {
  start: number;
  count: number;
}

export class AutoBan {
  private readonly counted = new Map<string, Window>();
  /** Bans this edge made, by address: their expiry, so a source that keeps knocking is not banned again. */
  private readonly banned = new Map<string, number>();

  /** Every address on the ban list as of the last sweep, and this edge's bans whose write is in flight. */
  private enforced = new Set<string>();
  /** This edge's bans by when they were made: those made after a sweep's read are enforced by it too. */
  private readonly made = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private checkedVersion = -1;
  private stopped = false;
  private readonly bans: Counter;
  private readonly spared: Counter<'reason'>;
  private readonly lifts: Counter<'reason'>;

  constructor(
    private readonly settings: AutoBanSettings,
    private readonly list: RedisBanList,
    private readonly sparing: SparedSources,
    private readonly log: Logger,
    registry: Registry,
    private readonly mirror?: BanMirror,
  ) {
    this.bans = sharedMetric(registry, 'sipwarden_bans_total', () => new Counter({ name: 'sipwarden_bans_total', help: 'Sources this edge put on the ban list (answered 403 first thing, or dropped by the kernel ban sink).', registers: [registry] }));
    this.spared = sharedMetric(
      registry,
      'sipwarden_bans_spared_total',
      () => new Counter({ name: 'sipwarden_bans_spared_total', help: 'Sources past the threshold not banned, by reason: listed (an enabled list allows them), never-ban (the never-ban list or a trusted proxy).', labelNames: ['reason'], registers: [registry] }),
    );
    this.lifts = sharedMetric(
      registry,
      'sipwarden_ban_lifts_total',
      () => new Counter({ name: 'sipwarden_ban_lifts_total', help: 'Bans lifted by this edge, by reason: expired, allowed (a list has come to allow the address).', labelNames: ['reason'], registers: [registry] }),
    );
  }

  note(denied: DeniedRequest): void {
    // drachtio-server sees the proxy's address, not the one a trusted proxy forwarded: nothing to ban there.
    if (denied.forwarded === true) return;
    const { address, at } = denied;
    const until = this.banned.get(address);
    if (until !== undefined && until > at) return;
    if (this.sparing.knownSpared(address)) return;
    let window = this.counted.get(address);
    if (window === undefined || at - window.start >= this.settings.windowMs) {
      if (window === undefined && this.counted.size >= MAX_COUNTED) this.forgetOldWindows(at);
      if (window === undefined && this.counted.size >= MAX_COUNTED) return;
      window = { start: at, count: 0 };
      this.counted.set(address, window);
    }
    if (++window.count <= this.settings.threshold) return;
    this.counted.delete(address);
    this.ban(denied, window.count);
  }

  /** True when `address` is on the ban list: the filter answers it first. */
  isBanned(address: string): boolean {
    return this.enforced.size > 0 && this.enforced.has(address);
  }

  start(): void {
    const tick = () => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.settings.sweepMs);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(tick, this.settings.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private ban(denied: DeniedRequest, denials: number): void {
    const { address, tenant, scope, at } = denied;
    const spare = this.sparing.reason(address);
    if (spare !== undefined) {
      this.spared.inc({ reason: spare });
      this.log.info({ address, tenant, scope, denials, reason: spare }, 'auto-ban: source past the threshold spared');
      return;
    }
    const until = at + this.settings.durationMs;
    this.banned.set(address, until);
    this.enforced.add(address);
    this.made.set(address, Date.now());
    this.mirror?.banned(address, until);
    const reason = `denied ${denials} times within ${this.settings.windowMs / 1000} s`;
    this.list.ban(address, until, { at, reason, tenant, scope, denials, by: this.settings.by }).then(
      (added) => {
        if (added) this.bans.inc();
        this.log.warn({ event: 'sip_ban', address, tenant, scope, denials, until: new Date(until).toISOString(), added }, added ? 'auto-ban: source banned' : 'auto-ban: ban extended');
      },
      (err: Error) => {
        // Not recorded: the next denials may try again.
        this.made.delete(address);
        this.banned.delete(address);
        this.enforced.delete(address);
        this.log.warn({ address, err: err.message }, 'auto-ban: the ban could not be written');
      },
    );
  }

  /** Lifts expired bans, and, when the lists changed, the bans of addresses a list now allows. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    try {
      // A ban made lately may be missing from what is read (its write in flight): kept from `made` for a while.
      for (const [address, at] of this.made) if (at < now - IN_FLIGHT_MS) this.made.delete(address);
      const bans = await this.list.list();
      // A ban the read holds has landed: no longer in flight, so a lift by anyone (an admin's unban) is seen at the next sweep.
      for (const ban of bans) this.made.delete(ban.address);
      const allowed: string[] = [];
      const version = this.sparing.guard.version;
      if (version !== this.checkedVersion) {
        allowed.push(...bans.map((b) => b.address).filter((address) => this.sparing.guard.allowsAnywhere(address)));
        this.checkedVersion = version;
      }
      const lifted = await this.list.lift(now, allowed);
      for (const address of lifted) {
        this.banned.delete(address);
        this.made.delete(address);
        const reason = allowed.includes(address) ? 'allowed' : 'expired';
        this.lifts.inc({ reason });
        this.log.info({ event: 'sip_unban', address, reason }, reason === 'allowed' ? 'auto-ban: ban lifted, a list allows the address' : 'auto-ban: ban expired');
      }
      // A member without an expiry was added by hand: banned until removed.
      const enforced = new Set(bans.filter((b) => (b.until === undefined || b.until > now) && !lifted.includes(b.address)).map((b) => b.address));
      for (const address of this.made.keys()) enforced.add(address);
      this.enforced = enforced;
      if (this.mirror !== undefined) {
        const until = new Map(bans.map((b) => [b.address, b.until]));
        this.mirror.mirror(new Map([...enforced].map((address) => [address, until.get(address) ?? this.banned.get(address)])));
      }
      // A ban lifted elsewhere (an admin, another edge) is counted again from now.
      for (const address of this.banned.keys()) if (!enforced.has(address)) this.banned.delete(address);
    } catch (err) {
      // Redis away: bans stay until it is back (drachtio-server keeps the set it last read).
      this.checkedVersion = -1;
      this.log.debug({ err: (err as Error).message }, 'auto-ban: sweep failed');
    }
  }

  private forgetOldWindows(now: number): void {
    for (const [address, window] of this.counted) if (now - window.start >= this.settings.windowMs) this.counted.delete(address);
  }
}
