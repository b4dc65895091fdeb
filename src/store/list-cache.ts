/**
 * The live policy cache every edge process decides through: every tenant's
 * lists compiled in memory, refreshed from the store as they change.
 *
 * Invariants:
 * - Bad data never widens access: a malformed list keeps the previous
 *   compiled version; with none, its scope denies (`policy-unavailable`).
 * - A store outage changes nothing: the last-known-good lists stay enforced,
 *   and after the store comes back everything is read again, since change
 *   notifications sent meanwhile are lost.
 * - Before the first load (from the store or a snapshot) everything is denied.
 * - Reads are applied in the order they were issued, so a slow full resync
 *   cannot overwrite a newer single-list read.
 * - A store that lost its data (its marker gone or replaced, see
 *   marker-guard.ts) is not followed: the last-known-good lists stay
 *   enforced, the snapshot is left alone, and `problem` says so.
 * - A restart enforces the snapshot at once unless the store answers within
 *   a few hundred milliseconds; the store replaces it when it answers.
 * - The DNS names the lists use are resolved by one NameResolver, each name
 *   once however many lists name it, and decisions read what they resolve
 *   to now; a name's new address changes no compiled list.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type DnsClient, NameResolver, type NameResolverSettings, type NameStatus } from '../dns/index.js';
import {
  type CountryLookup,
  DENY_UNAVAILABLE,
  NO_COUNTRY_DATA,
  type Decision,
  type Scope,
  type ScopePolicy,
  SCOPES,
  compileScopePolicy,
  decide,
  withCountryData,
} from '../policy/index.js';
import { type ListId, listIdKey } from './keys.js';
import { type ListFileResult, readListFile, writeListFile } from './list-file.js';
import type { ListSource } from './list-source.js';
import { MarkerGuard, STORE_DATA_LOST } from './marker-guard.js';
import type { PolicyView } from './policy-view.js';
import { type ListSettings, type RawList, descriptionsOf, fingerprintOf, interpretRawList } from './raw-list.js';
import { type MarkerSeen, sameMarker } from './store-marker.js';

export interface ListCacheOptions {
  /** Worst-case staleness for changes no event announced: the reconciliation period. */
  readonly reconcileMs: number;
  /** Where to keep the last-known-good lists for a restart during a store outage; none when undefined. */
  readonly snapshotPath?: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** How the lists' DNS names are resolved; defaults (DNS_DEFAULTS) for what is left out. */
  readonly dns?: Partial<NameResolverSettings> & { readonly client?: DnsClient };
  /** Which country an address is in, for the country sets (src/geo); none: no source is allowed by country. */
  readonly countries?: CountryLookup;
}

interface CachedList {
  readonly id: ListId;
  /** The last good version; absent when the list has never been valid. */
  readonly settings?: ListSettings;
  readonly policy?: ScopePolicy;
  /** Fingerprint of the raw values last read, good or bad. */
  readonly fingerprint: string;
  /** Why the newest raw values were refused, while an older version is enforced. */
  readonly error?: string;
  /** Ticket of the read these values came from. */
  readonly ticket: number;
}

/** What a scope that was never configured means: open, like a switched-off list. */
const UNCONFIGURED: ReadonlyMap<Scope, ScopePolicy> = new Map(
  SCOPES.map((scope) => {
    const compiled = compileScopePolicy({ scope, enabled: false, list: '' });
    if (!compiled.ok) throw new Error('the empty list must compile');
    return [scope, compiled.policy];
  }),
);

const SNAPSHOT_DEBOUNCE_MS = 200;
/** With a snapshot at hand, how long a start waits for a fresher read from the store before enforcing the snapshot. */
const PREFER_STORE_MS = 300;
/** Without one, how long a start waits for the store: there is nothing else to enforce, so only start() returns earlier. */
const STORE_WAIT_MS = 3000;
/** A snapshot's lists are older than any read from the store: whatever the store answers replaces them. */
const SNAPSHOT_TICKET = 0;

export class ListCache implements PolicyView {
  private readonly lists = new Map<string, CachedList>();
  private domains = new Map<string, string>();
  private loaded = false;
  /** Set when a read failed: the next reconciliation reads everything. */
  private needsResync = true;
  private tickets = 0;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private reconciling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private stopWatching: (() => Promise<void>) | undefined;
  private stopped = false;
  private adopting: Promise<void> | undefined;
  private readonly guard: MarkerGuard;
  private readonly log: Logger;
  private readonly rejected: Counter<'tenant' | 'scope'>;
  private readonly storeErrors: Counter;
  private readonly readyGauge: Gauge;
  private readonly resolver: NameResolver;
  private countryData: CountryLookup;
  private changes = 0;

  constructor(
    private readonly source: ListSource,
    private readonly options: ListCacheOptions,
  ) {
    this.log = options.logger.child({ component: 'list-cache' });
    this.countryData = options.countries ?? NO_COUNTRY_DATA;
    this.guard = new MarkerGuard(options.logger, options.registry);
    this.resolver = new NameResolver({ ...options.dns, logger: options.logger, registry: options.registry });
    const registers = [options.registry];
    this.rejected = new Counter({
      name: 'sipwarden_list_rejected_total',
      help: 'Lists refused because the store held malformed data (the previous version stays enforced)',
      labelNames: ['tenant', 'scope'],
      registers,
    });
    this.storeErrors = new Counter({ name: 'sipwarden_store_errors_total', help: 'Failed reads from the list store', registers });
    this.readyGauge = new Gauge({ name: 'sipwarden_policy_ready', help: '1 once lists are loaded, else 0 (everything denied)', registers });
    const lists = this.lists;
    new Gauge({
      name: 'sipwarden_lists',
      help: 'Lists held by the cache',
      registers,
      collect() {
        this.set(lists.size);
      },
    });
  }

  /**
   * Replaces the country data (a reloaded .mmdb), built whole, its IPv4
   * index included, before it is handed here: one reference swap, then each
   * scope whose country set is on gets its decisions per country of the new
   * data, one reference swap per scope, so no scope is ever without a policy.
   * A scope still holding the old data's decides through the new data by
   * countryAt and its set's codes (decide() checks which data they were made
   * for), with the same answer. A few hundred pointers per scope, so the
   * swaps run here, synchronously.
   */
  useCountryData(lookup: CountryLookup): void {
    this.countryData = lookup;
    for (const [key, cached] of this.lists) {
      if (cached.policy?.countries.enabled) this.lists.set(key, { ...cached, policy: withCountryData(cached.policy, lookup) });
    }
    this.changes++;
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** Counts the changes of the lists held: a caller redoes a check over all lists only when it moved. */
  get version(): number {
    return this.changes;
  }

  /**
   * Whether an enabled list or country set of any tenant allows `source`
   * (matched or country-allowed): auto-ban must never drop, for every tenant
   * of a drachtio-server, a source one of them allows. Not loaded yet, or
   * failing, it answers true: no ban is better than a wrong one.
   */
  allowsAnywhere(source: string): boolean {
    if (!this.loaded) return true;
    try {
      for (const { policy } of this.lists.values()) {
        if (policy === undefined || !(policy.enabled || policy.countries.enabled)) continue;
        const { reason } = decide(policy, source, this.resolver.table, this.countryData);
        if (reason === 'matched' || reason === 'country-allowed') return true;
      }
      return false;
    } catch (err) {
      this.log.error({ err, source }, 'checking the lists for a ban failed; not banning');
      return true;
    }
  }

  get problem(): string | undefined {
    return this.guard.lost ? STORE_DATA_LOST : undefined;
  }

  decide(tenant: string, scope: Scope, source: string): Decision {
    try {
      if (!this.loaded) return DENY_UNAVAILABLE;
      const cached = this.lists.get(listIdKey({ tenant, scope }));
      if (cached === undefined) return decide(UNCONFIGURED.get(scope)!, source);
      if (cached.policy === undefined) return DENY_UNAVAILABLE;
      return decide(cached.policy, source, this.resolver.table, this.countryData);
    } catch (err) {
      this.log.error({ err, tenant, scope }, 'decision failed; denying');
      return DENY_UNAVAILABLE;
    }
  }

  tenantForDomain(domain: string): string | undefined {
    return this.domains.get(domain.toLowerCase());
  }

  /** The resolution of every DNS name the enforced lists use, by name. */
  names(): NameStatus[] {
    return this.resolver.statuses();
  }

  /** The resolution of one name (canonical, lower case); undefined when no enforced list uses it. */
  nameStatus(name: string): NameStatus | undefined {
    return this.resolver.status(name);
  }

  /** Resolves a name the lists use now, out of turn (an admin's "resolve now"); settles when its answer applies. */
  refreshName(name: string): Promise<void> {
    return this.resolver.refresh(name);
  }

  /** Settles once every name the lists use has had its first resolution (for tests and tools). */
  namesSettled(): Promise<void> {
    return this.resolver.settled();
  }

  /**
   * Loads everything from the store, or the snapshot if the store does not
   * answer in time (it replaces the snapshot when it does), then follows
   * changes. The snapshot's marker is known before the store's first read is
   * judged, so an edge restarted on an emptied store enforces the snapshot.
   */
  async start(): Promise<void> {
    const [snapshot, watch] = await Promise.all([
      this.readSnapshot(),
      this.source.watch({
        listChanged: (id) => this.requestReload(id),
        domainsChanged: () => void this.reloadDomains().catch((err) => this.storeFailed(err)),
        resync: () => this.resyncSoon(),
      }),
    ]);
    this.stopWatching = () => watch.stop();
    if (snapshot.ok && snapshot.content.storeMarker !== undefined) this.guard.remember(snapshot.content.storeMarker);
    const firstRead = watch.live.then(() => (this.stopped ? undefined : this.reconcile()));
    await Promise.race([firstRead, new Promise((resolve) => setTimeout(resolve, snapshot.ok ? PREFER_STORE_MS : STORE_WAIT_MS).unref())]);
    if (this.stopped) return;
    if (!this.loaded) this.restoreSnapshot(snapshot);
    this.timer = setInterval(() => void this.reconcile(), this.options.reconcileMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.stopWatching?.();
    await Promise.allSettled([...this.inFlight.values(), this.reconciling, this.adopting]);
    this.resolver.stop();
    // A change applied just before a clean stop still reaches the snapshot the next start falls back on.
    if (this.snapshotTimer !== undefined) {
      clearTimeout(this.snapshotTimer);
      await this.writeSnapshot();
    }
  }

  /** One reconciliation pass: a full read after a failure, else reload what the fingerprints say changed. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((err) => this.storeFailed(err))
      .finally(() => {
        this.reconciling = undefined;
      });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    // While the store is lost, only a full read can show it is back.
    if (this.needsResync || this.guard.lost) {
      await this.resync();
      return;
    }
    const [{ fingerprints, marker }] = await Promise.all([this.source.fingerprints(), this.reloadDomains()]);
    if (!this.admits(marker)) return;
    for (const [key, fingerprint] of fingerprints) {
      const cached = this.lists.get(key);
      if (cached?.fingerprint !== fingerprint) this.requestReload(idFromKey(key));
    }
    for (const [key, cached] of this.lists) if (!fingerprints.has(key)) this.requestReload(cached.id);
    await Promise.all(this.inFlight.values());
  }

  private async resync(): Promise<void> {
    const ticket = ++this.tickets;
    const [all, domains] = await Promise.all([this.source.readAll(), this.source.readDomains()]);
    if (!sameMarker(all.marker, domains.marker)) throw new Error('the store marker changed during a full read; reading again');
    const verdict = this.guard.judge(all.marker);
    if (verdict === 'lost') return;
    const present = new Set<string>();
    for (const raw of all.lists) {
      present.add(listIdKey(raw));
      this.apply(raw, ticket);
    }
    for (const [key, cached] of this.lists) if (!present.has(key) && cached.ticket < ticket) this.forget(key);
    this.domains = domains.domains;
    this.needsResync = false;
    this.markLoaded('store');
    // Lists pushed by hand (redis-cli) and no marker yet: mark the store, so its loss can be noticed from now on.
    if (verdict === 'unmarked' && all.lists.length > 0) this.adoptStore();
    this.scheduleSnapshot();
  }

  private resyncSoon(): void {
    this.needsResync = true;
    void this.reconcile();
  }

  /** Whether a read with this marker may be applied; the store coming back is applied from a full read only. */
  private admits(marker: MarkerSeen): boolean {
    const verdict = this.guard.judge(marker);
    if (verdict === 'resume') this.resyncSoon();
    return verdict === 'follow' || verdict === 'unmarked';
  }

  private adoptStore(): void {
    const adopt = this.source.adopt?.bind(this.source);
    if (adopt === undefined || this.adopting !== undefined) return;
    this.adopting = adopt(`edge ${hostname()}`)
      .then((marker) => {
        this.guard.judge(marker);
        this.log.info({ marker: this.guard.known }, 'store marked: from now on this edge notices if the store loses its data');
        this.scheduleSnapshot();
      })
      .catch((err: Error) =>
        this.log.warn(
          { err: err.message },
          'could not write the store marker (a read-only Redis user?): a store that comes back empty will not be noticed; an admin can run `sipwarden store init`',
        ),
      )
      .finally(() => {
        this.adopting = undefined;
      });
  }

  private async reloadDomains(): Promise<void> {
    const { domains, marker } = await this.source.readDomains();
    if (this.admits(marker)) this.domains = domains;
  }

  /** Reloads one list; a request while one is in flight runs again after it. */
  private requestReload(id: ListId): void {
    const key = listIdKey(id);
    if (this.inFlight.has(key)) {
      this.again.add(key);
      return;
    }
    const run = async (): Promise<void> => {
      do {
        this.again.delete(key);
        const ticket = ++this.tickets;
        // One write raises several events (keyspace and channel); after the
        // first reload the fingerprint matches and the rest cost 40 bytes.
        if ((await this.source.fingerprint(id)) === this.lists.get(key)?.fingerprint) continue;
        const raw = await this.source.read(id);
        if (this.admits(raw.marker)) this.apply(raw, ticket);
      } while (this.again.has(key));
      this.scheduleSnapshot();
    };
    this.inFlight.set(
      key,
      run()
        .catch((err) => this.storeFailed(err))
        .finally(() => this.inFlight.delete(key)),
    );
  }

  private apply(raw: RawList, ticket: number): void {
    const key = listIdKey(raw);
    const previous = this.lists.get(key);
    if (previous !== undefined && previous.ticket > ticket) return; // a newer read already landed
    const fingerprint = fingerprintOf(raw);
    const interpreted = interpretRawList(raw);
    if (!interpreted.ok) return this.reject(raw, fingerprint, ticket, interpreted.error);
    const { settings, warnings } = interpreted;
    if (!settings.configured) {
      this.forget(key);
      return;
    }
    const input = { scope: settings.scope, enabled: settings.enabled, list: settings.cidrs, descriptions: descriptionsOf(settings), countries: settings.countries };
    const compiled = compileScopePolicy(input, this.countryData);
    if (!compiled.ok) return this.reject(raw, fingerprint, ticket, compiled.message);
    this.lists.set(key, { id: { tenant: raw.tenant, scope: raw.scope }, settings, policy: compiled.policy, fingerprint, ticket });
    this.changes++;
    this.resolver.use(key, compiled.policy.names.keys());
    this.log.info(
      {
        tenant: raw.tenant,
        scope: raw.scope,
        enabled: settings.enabled,
        entries: compiled.policy.matcher.list.length,
        ...(compiled.policy.names.size > 0 && { names: compiled.policy.names.size }),
        ...(compiled.policy.countries.enabled && { countries: settings.countries.codes }),
        rev: settings.rev,
        ...(warnings.length + compiled.warnings.length > 0 && {
          warnings: [...warnings, ...compiled.warnings.map((w) => `#${w.index} ${w.token}: ${w.message}`)].slice(0, 20),
        }),
      },
      'list loaded',
    );
  }

  /** Drops a list, and its use of names. */
  private forget(key: string): void {
    this.lists.delete(key);
    this.changes++;
    this.resolver.use(key, []);
  }

  private reject(raw: RawList, fingerprint: string, ticket: number, error: string): void {
    const key = listIdKey(raw);
    const previous = this.lists.get(key);
    this.rejected.inc({ tenant: raw.tenant, scope: raw.scope });
    this.log.error(
      { tenant: raw.tenant, scope: raw.scope, error, keeping: previous?.settings ? `rev ${previous.settings.rev}` : 'nothing: scope denies' },
      'malformed list in store refused',
    );
    this.lists.set(key, { ...previous, id: { tenant: raw.tenant, scope: raw.scope }, fingerprint, error, ticket });
  }

  private storeFailed(err: unknown): void {
    this.needsResync = true;
    this.storeErrors.inc();
    this.log.warn({ err: (err as Error).message }, 'list store read failed; enforcing the last-known-good lists');
  }

  private markLoaded(from: 'store' | 'snapshot'): void {
    if (!this.loaded) this.log.info({ from, lists: this.lists.size }, 'policy ready');
    this.loaded = true;
    this.readyGauge.set(1);
  }

  private scheduleSnapshot(): void {
    if (this.options.snapshotPath === undefined || this.snapshotTimer !== undefined) return;
    this.snapshotTimer = setTimeout(() => void this.writeSnapshot(), SNAPSHOT_DEBOUNCE_MS);
    this.snapshotTimer.unref();
  }

  private async writeSnapshot(): Promise<void> {
    const path = this.options.snapshotPath;
    this.snapshotTimer = undefined;
    // The snapshot is what a restart during the loss falls back on: never overwritten with what a lost store holds.
    if (path === undefined || this.guard.lost) return;
    const good = [...this.lists.values()].flatMap((c) => (c.settings ? [c.settings] : []));
    await writeListFile(path, this.domains, good, this.guard.known).catch((err) => this.log.error({ err, path }, 'snapshot write failed'));
  }

  private async readSnapshot(): Promise<ListFileResult> {
    const path = this.options.snapshotPath;
    return path === undefined ? { ok: false, error: 'no snapshot configured' } : readListFile(path);
  }

  private restoreSnapshot(snapshot: ListFileResult): void {
    if (!snapshot.ok) {
      this.log.error({ snapshot: snapshot.error }, 'no lists from the store and no usable snapshot: denying everything until the store answers');
      return;
    }
    for (const raw of snapshot.content.lists) this.apply(raw, SNAPSHOT_TICKET);
    this.domains = new Map(snapshot.content.domains);
    this.markLoaded('snapshot');
  }
}

function idFromKey(key: string): ListId {
  const [tenant, scope] = key.split('\u0000') as [string, Scope];
  return { tenant, scope };
}
