/**
 * The DNS names an edge's lists use, resolved and kept fresh: one resolution
 * per name, shared by every tenant and scope that lists it, written into the
 * NameTable decisions read. Decisions never wait for it: they use what is
 * resolved now, and a name not resolved yet allows nothing.
 *
 * - Each name is asked for A and AAAA, and asked again when its records'
 *   TTL runs out, clamped to [minTtlMs, maxTtlMs] (a TTL of 0 would be a
 *   query per request; one of a day would keep a moved agent's old address).
 * - A failed query (NXDOMAIN, SERVFAIL, timeout, …) keeps the record type's
 *   last good addresses for graceMs from the first failure, then drops them
 *   (logged, counted); it is retried every minTtlMs meanwhile. A type that
 *   never resolved has nothing to keep. An empty answer (NODATA) is an
 *   answer: the name has no address of that type.
 * - At most maxAddresses addresses are taken from a name, the lowest (IPv4
 *   first), so a cut keeps the same ones from refresh to refresh; what was
 *   cut is logged when it changes.
 * - Fail closed: an error of the resolver only ever removes addresses.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type NameAddresses, NameTable, canonicalAddresses } from '../policy/name-table.js';
import { type DnsClient, type QueryResult, type RecordType, createDnsClient, isFailure, query } from './dns-query.js';

export interface NameResolverSettings {
  /** DNS servers in setServers form (parseDnsServers); empty: the system's. */
  readonly servers: readonly string[];
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  /** How long a failing record type keeps its last good addresses. */
  readonly graceMs: number;
  /** Addresses taken from one name at most. */
  readonly maxAddresses: number;
  /** Per query try. */
  readonly timeoutMs: number;
}

export const DNS_DEFAULTS: NameResolverSettings = Object.freeze({
  servers: [],
  minTtlMs: 10_000,
  maxTtlMs: 300_000,
  graceMs: 300_000,
  maxAddresses: 32,
  timeoutMs: 2000,
});

export interface NameResolverOptions extends Partial<NameResolverSettings> {
  readonly logger: Logger;
  /** Where the DNS metrics go; none when undefined (a one-off resolution). */
  readonly registry?: Registry;
  /** Asks DNS; by default a dns.Resolver on `servers`. */
  readonly client?: DnsClient;
}

/**
 * - `pending`: not resolved yet (the first resolution is under way).
 * - `resolved`: the last resolution answered for A and AAAA.
 * - `grace`: failing, and still allowing last good addresses until graceUntil.
 * - `failed`: failing with nothing kept (it never resolved, or the grace ran out).
 */
export type NameState = 'pending' | 'resolved' | 'grace' | 'failed';

export const NAME_STATES: readonly NameState[] = ['pending', 'resolved', 'grace', 'failed'];

export interface NameStatus {
  /** Canonical (lower case). */
  readonly name: string;
  readonly state: NameState;
  /** The addresses it allows now, canonical, IPv4 first. */
  readonly addresses: readonly string[];
  /** When a resolution last answered, in ms since the epoch; absent if none did. */
  readonly resolvedAt?: number;
  /** When the last resolution finished. */
  readonly checkedAt?: number;
  /** When it is resolved next. */
  readonly nextCheckAt?: number;
  /** While failing: since when, what (`nxdomain`, or `A timeout, AAAA servfail`), and in grace until when. */
  readonly failingSince?: number;
  readonly failure?: string;
  readonly graceUntil?: number;
  /** Addresses the last answer had beyond maxAddresses, left out. */
  readonly cut?: readonly string[];
}

interface TypeState {
  /** Last good addresses, canonical; what this type allows. */
  addresses: readonly string[];
  goodAt?: number;
  failingSince?: number;
  failure?: QueryResult;
}

interface Entry {
  readonly name: string;
  readonly owners: Set<string>;
  readonly types: Record<RecordType, TypeState>;
  /** What the table holds for it: the types' addresses, capped. */
  allowed: readonly string[];
  cut: readonly string[];
  checkedAt?: number;
  nextCheckAt?: number;
  refreshTimer?: NodeJS.Timeout;
  dropTimer?: NodeJS.Timeout;
  queued: boolean;
  running: boolean;
  /** Called when the resolution queued or running now has finished. */
  waiting: Array<() => void>;
}

const TYPES: readonly RecordType[] = ['A', 'AAAA'];
/** Names resolved at once; the rest wait their turn (an edge starting with 1,000 names). */
const MAX_CONCURRENT = 64;
/** Addresses named in one log line at most. */
const LOGGED_ADDRESSES = 20;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function failureText(failures: readonly QueryResult[]): string | undefined {
  if (failures.length === 0) return undefined;
  const outcomes = new Set(failures.map((f) => f.outcome));
  return outcomes.size === 1 && failures.length === TYPES.length ? failures[0]!.outcome : failures.map((f) => `${f.type} ${f.outcome}`).join(', ');
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((address, i) => address === b[i]);
}

export class NameResolver {
  private readonly settings: NameResolverSettings;
  private readonly client: DnsClient;
  private readonly log: Logger;
  private readonly names = new NameTable();
  private readonly entries = new Map<string, Entry>();
  private readonly owned = new Map<string, ReadonlySet<string>>();
  private readonly queue: Entry[] = [];
  private running = 0;
  private idle: Array<() => void> = [];
  private stopped = false;
  private readonly resolutions?: Counter<'type' | 'outcome'>;
  private readonly dropped?: Counter;
  private readonly cutCount?: Counter;

  constructor(options: NameResolverOptions) {
    const { servers, minTtlMs, maxTtlMs, graceMs, maxAddresses, timeoutMs } = { ...DNS_DEFAULTS, ...options };
    this.settings = { servers, minTtlMs, maxTtlMs, graceMs, maxAddresses, timeoutMs };
    this.client = options.client ?? createDnsClient(this.settings);
    this.log = options.logger.child({ component: 'dns' });
    if (options.registry !== undefined) {
      const registers = [options.registry];
      this.resolutions = new Counter({
        name: 'sipwarden_dns_resolutions_total',
        help: 'DNS queries for the names in the lists, by record type (A, AAAA) and outcome (ok, no-data, nxdomain, servfail, timeout, refused, unreachable, error)',
        labelNames: ['type', 'outcome'],
        registers,
      });
      this.dropped = new Counter({
        name: 'sipwarden_dns_names_dropped_total',
        help: 'Times a name failed to resolve past the grace period and its last good addresses were dropped',
        registers,
      });
      this.cutCount = new Counter({
        name: 'sipwarden_dns_addresses_cut_total',
        help: 'Addresses left out because a name resolved to more than SIPWARDEN_DNS_MAX_ADDRESSES (counted at each resolution)',
        registers,
      });
      const statuses = () => this.statuses();
      new Gauge({
        name: 'sipwarden_dns_names',
        help: 'Names the lists use, by resolution state (pending, resolved, grace, failed)',
        labelNames: ['state'],
        registers,
        collect() {
          const counts = new Map(NAME_STATES.map((state) => [state, 0]));
          for (const status of statuses()) counts.set(status.state, counts.get(status.state)! + 1);
          for (const [state, count] of counts) this.set({ state }, count);
        },
      });
      new Gauge({
        name: 'sipwarden_dns_name_grace_seconds',
        help: 'Names failing to resolve whose last good addresses are still allowed: seconds until they are dropped',
        labelNames: ['name'],
        registers,
        collect() {
          this.reset();
          const now = Date.now();
          for (const status of statuses()) {
            if (status.state === 'grace') this.set({ name: status.name }, Math.max(0, (status.graceUntil! - now) / 1000));
          }
        },
      });
    }
  }

  /** What the names resolve to now, for decisions. */
  get table(): NameAddresses {
    return this.names;
  }

  /**
   * Sets the names `owner` (a list) uses. A name no owner uses any more is
   * forgotten; a new one is resolved at once.
   */
  use(owner: string, names: Iterable<string>): void {
    if (this.stopped) return;
    const next = new Set(names);
    const previous = this.owned.get(owner) ?? new Set<string>();
    for (const name of next) if (!previous.has(name)) this.retain(name, owner);
    for (const name of previous) if (!next.has(name)) this.release(name, owner);
    if (next.size === 0) this.owned.delete(owner);
    else this.owned.set(owner, next);
  }

  status(name: string): NameStatus | undefined {
    const entry = this.entries.get(name);
    return entry === undefined ? undefined : this.statusOf(entry);
  }

  /** Every name in use, by name. */
  statuses(): NameStatus[] {
    return [...this.entries.values()].map((entry) => this.statusOf(entry)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Resolves a name in use now, out of turn (its next refresh counts from
   * this one); settles when its answer is applied (that of a resolution
   * already under way, if there is one). A name no list uses is not resolved.
   */
  refresh(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (entry === undefined || this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => entry.waiting.push(resolve));
    if (!entry.running) this.enqueue(entry);
    return done;
  }

  /** Settles when no resolution is queued or running (the first resolution of every name used so far is done). */
  settled(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.clearTimers(entry);
    this.entries.clear();
    this.owned.clear();
    for (const entry of this.queue) this.finished(entry);
    this.queue.length = 0;
    this.client.cancel();
    this.wakeIdle();
  }

  private retain(name: string, owner: string): void {
    const existing = this.entries.get(name);
    if (existing !== undefined) {
      existing.owners.add(owner);
      return;
    }
    const entry: Entry = {
      name,
      owners: new Set([owner]),
      types: { A: { addresses: [] }, AAAA: { addresses: [] } },
      allowed: [],
      cut: [],
      queued: false,
      running: false,
      waiting: [],
    };
    this.entries.set(name, entry);
    this.enqueue(entry);
  }

  private release(name: string, owner: string): void {
    const entry = this.entries.get(name);
    if (entry === undefined) return;
    entry.owners.delete(owner);
    if (entry.owners.size > 0) return;
    this.clearTimers(entry);
    this.entries.delete(name);
    this.names.delete(name);
    this.log.debug({ name }, 'DNS name no longer listed; not resolved any more');
  }

  private clearTimers(entry: Entry): void {
    clearTimeout(entry.refreshTimer);
    clearTimeout(entry.dropTimer);
  }

  private isCurrent(entry: Entry): boolean {
    return !this.stopped && this.entries.get(entry.name) === entry;
  }

  private enqueue(entry: Entry): void {
    if (entry.queued || entry.running) return;
    entry.queued = true;
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.running < MAX_CONCURRENT && this.queue.length > 0) {
      const entry = this.queue.shift()!;
      entry.queued = false;
      if (!this.isCurrent(entry)) {
        this.finished(entry);
        continue;
      }
      entry.running = true;
      this.running++;
      void Promise.all(TYPES.map((type) => query(this.client, type, entry.name)))
        .then((results) => {
          if (this.isCurrent(entry)) this.answered(entry, results);
        })
        .catch((err: unknown) => this.log.error({ err, name: entry.name }, 'DNS resolution failed unexpectedly'))
        .finally(() => {
          entry.running = false;
          this.running--;
          this.finished(entry);
          if (this.isCurrent(entry) && entry.refreshTimer === undefined) this.schedule(entry, this.settings.minTtlMs);
          this.pump();
          if (this.running === 0 && this.queue.length === 0) this.wakeIdle();
        });
    }
  }

  private finished(entry: Entry): void {
    const waiting = entry.waiting;
    entry.waiting = [];
    for (const resolve of waiting) resolve();
  }

  private wakeIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private schedule(entry: Entry, delayMs: number): void {
    clearTimeout(entry.refreshTimer);
    entry.nextCheckAt = Date.now() + delayMs;
    entry.refreshTimer = setTimeout(() => {
      entry.refreshTimer = undefined;
      if (this.isCurrent(entry)) this.enqueue(entry);
    }, delayMs);
    entry.refreshTimer.unref();
  }

  /** Applies one resolution's answers (one per record type). */
  private answered(entry: Entry, results: readonly QueryResult[]): void {
    const now = Date.now();
    const wasFailing = this.failures(entry).length > 0;
    let ttl = Infinity;
    for (const result of results) {
      this.resolutions?.inc({ type: result.type, outcome: result.outcome });
      const state = entry.types[result.type];
      if (isFailure(result.outcome)) {
        state.failingSince ??= now;
        state.failure = result;
      } else {
        state.addresses = canonicalAddresses(result.addresses);
        state.goodAt = now;
        state.failingSince = undefined;
        state.failure = undefined;
        if (result.ttl !== undefined) ttl = Math.min(ttl, result.ttl * 1000);
      }
    }
    entry.checkedAt = now;
    this.expire(entry, now);
    if (entry.cut.length > 0) this.cutCount?.inc(entry.cut.length);
    const failures = this.failures(entry);
    if (failures.length > 0 && !wasFailing) this.logFailing(entry, failures);
    if (failures.length === 0 && wasFailing) this.log.info({ name: entry.name, addresses: entry.allowed }, 'DNS name resolves again');
    // A failure is retried at the shortest interval; NODATA alone gives no TTL.
    const { minTtlMs, maxTtlMs } = this.settings;
    this.schedule(entry, failures.length > 0 || ttl === Infinity ? minTtlMs : clamp(ttl, minTtlMs, maxTtlMs));
  }

  /** Drops what failing types kept past the grace period, publishes the result and arms the next drop. */
  private expire(entry: Entry, now: number): void {
    const { graceMs } = this.settings;
    let nextDrop = Infinity;
    for (const type of TYPES) {
      const state = entry.types[type];
      if (state.failingSince === undefined || state.addresses.length === 0) continue;
      const until = state.failingSince + graceMs;
      if (now < until) {
        nextDrop = Math.min(nextDrop, until);
        continue;
      }
      this.dropped?.inc();
      this.log.warn(
        { name: entry.name, type, dropped: state.addresses.slice(0, LOGGED_ADDRESSES), failure: state.failure?.outcome, failingSince: new Date(state.failingSince).toISOString() },
        'DNS name failed to resolve past the grace period: its last addresses are dropped and allow nothing',
      );
      state.addresses = [];
    }
    this.publish(entry);
    clearTimeout(entry.dropTimer);
    entry.dropTimer = undefined;
    if (nextDrop !== Infinity) {
      entry.dropTimer = setTimeout(() => {
        if (this.isCurrent(entry)) this.expire(entry, Math.max(Date.now(), nextDrop));
      }, nextDrop - now);
      entry.dropTimer.unref();
    }
  }

  /** Writes the types' addresses, capped, to the table; logs what changed. */
  private publish(entry: Entry): void {
    const all = canonicalAddresses(TYPES.flatMap((type) => entry.types[type].addresses));
    const { maxAddresses } = this.settings;
    const allowed = all.slice(0, maxAddresses);
    const cut = all.slice(maxAddresses);
    if (!sameAddresses(cut, entry.cut) && cut.length > 0) {
      this.log.warn(
        { name: entry.name, resolved: all.length, kept: allowed.length, cut: cut.slice(0, LOGGED_ADDRESSES), cap: maxAddresses },
        `DNS name resolves to more than ${maxAddresses} addresses: the rest are left out`,
      );
    }
    entry.cut = cut;
    if (sameAddresses(allowed, entry.allowed)) return;
    this.log.info({ name: entry.name, addresses: allowed.slice(0, LOGGED_ADDRESSES), previous: entry.allowed.slice(0, LOGGED_ADDRESSES) }, 'DNS name resolved to new addresses');
    entry.allowed = allowed;
    this.names.set(entry.name, allowed);
  }

  private failures(entry: Entry): QueryResult[] {
    return TYPES.flatMap((type) => entry.types[type].failure ?? []);
  }

  private logFailing(entry: Entry, failures: readonly QueryResult[]): void {
    const fields = { name: entry.name, failure: failureText(failures), codes: failures.map((f) => f.code) };
    if (entry.allowed.length === 0) {
      this.log.warn(fields, 'DNS name does not resolve: it allows nothing until it does');
    } else {
      const graceUntil = new Date(Math.min(...failures.map((f) => entry.types[f.type].failingSince!)) + this.settings.graceMs).toISOString();
      this.log.warn({ ...fields, keeping: entry.allowed.slice(0, LOGGED_ADDRESSES), graceUntil }, 'DNS name fails to resolve: its last addresses stay allowed for the grace period');
    }
  }

  private statusOf(entry: Entry): NameStatus {
    const failures = this.failures(entry);
    const failing = failures.map((f) => entry.types[f.type]);
    const inGrace = failing.filter((state) => state.addresses.length > 0);
    const resolvedAt = Math.max(...TYPES.map((type) => entry.types[type].goodAt ?? -Infinity));
    let state: NameState;
    if (failures.length > 0) state = inGrace.length > 0 ? 'grace' : 'failed';
    else state = entry.checkedAt === undefined ? 'pending' : 'resolved';
    return {
      name: entry.name,
      state,
      addresses: entry.allowed,
      ...(resolvedAt !== -Infinity && { resolvedAt }),
      ...(entry.checkedAt !== undefined && { checkedAt: entry.checkedAt }),
      ...(entry.nextCheckAt !== undefined && { nextCheckAt: entry.nextCheckAt }),
      ...(failures.length > 0 && { failingSince: Math.min(...failing.map((s) => s.failingSince!)), failure: failureText(failures)! }),
      ...(inGrace.length > 0 && { graceUntil: Math.min(...inGrace.map((s) => s.failingSince!)) + this.settings.graceMs }),
      ...(entry.cut.length > 0 && { cut: entry.cut }),
    };
  }
}

/** Resolves `names` once (no refresh), for a process that decides without an edge's cache (the CLI). */
export async function resolveOnce(
  names: Iterable<string>,
  options: NameResolverOptions,
): Promise<{ readonly table: NameAddresses; readonly statuses: readonly NameStatus[] }> {
  const resolver = new NameResolver(options);
  resolver.use('once', names);
  await resolver.settled();
  const statuses = resolver.statuses();
  const table = new NameTable();
  for (const status of statuses) table.set(status.name, status.addresses);
  resolver.stop();
  return { table, statuses };
}

