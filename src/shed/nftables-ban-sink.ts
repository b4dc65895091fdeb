/**
 * The kernel ban sink (SIPWARDEN_BAN_SINK=nftables): mirrors the ban list
 * into sets of sipwarden's own nftables table, so the kernel drops a banned
 * source's packets to drachtio-server's SIP ports before drachtio-server or
 * the edge spend anything on them. drachtio-server's own blacklist cannot do
 * it: v0.9.10 reads its Redis set once, at start (see src/sip/auto-ban.ts).
 *
 * It only mirrors: auto-ban decides what is banned (never a spared source),
 * and the edge keeps answering banned sources 403 itself, so a failed nft
 * run is logged and counted and lets nothing through that was not already
 * let through. A ban this edge makes is written at once; the sweep hands over
 * the whole list (bans of other edges, lifts, expiries, an admin's unban),
 * which is diffed against what the kernel lists. Changes wait in a bounded
 * queue while nft runs and go in one batch; past the bound the next
 * reconcile, which reads the kernel, catches up. New bans do not wait for
 * each other: under a flood the edge learns late that an nft run has ended
 * (bench:flood: 700 ms for a run the kernel had applied within 150 ms), and
 * the second source of a flood should not wait that long. A reconcile or a
 * change of the rules waits for them, and they for it.
 *
 * With the per-source rate limit on (SIPWARDEN_NFT_SOURCE_RATE), the kernel
 * also drops UDP past that rate from any source neither exempt (never-ban,
 * trusted proxies) nor seen: a flood is clamped within milliseconds, before
 * the edge has counted the denials a ban takes. The edge hands over each
 * source it allows (allowed()), and those go into the seen sets together,
 * one nft run per SEEN_BATCH_MS at most, beside the bans' runs. A failed
 * write leaves an allowed source metered like any other until it is seen
 * again: it may lose requests above the rate, which a phone never sends.
 */
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BanMirror } from '../sip/auto-ban.js';
import type { Listener } from '../sip/index.js';
import { sharedMetric } from '../sip/shared-metric.js';
import { WILDCARD_HOST } from '../sip/transport.js';
import { type GuardedPort, mergePorts, portOfListener } from './guarded-ports.js';
import { kernelAddress } from './kernel-address.js';
import { type KernelBan, type KernelLayout, SEEN_SET_OF, type SourceMeter, type TimedAddress, changesBatch, exemptBatch, guardBatch, guardRules, tableBatch } from './nft-ruleset.js';
import { type NftResult, runNft } from './nft-command.js';
import { parseKernelTable } from './nft-listing.js';
import { MIN_TIMEOUT_MS, planMirror, wantedElement } from './mirror-plan.js';

export interface NftablesBanSinkOptions {
  /** The table's name in family inet; nothing else is touched. */
  readonly table: string;
  /** The ports guarded from the start; more come from guard(). */
  readonly ports: readonly GuardedPort[];
  /** How long a ban without an expiry (added by hand) is mirrored at a time. */
  readonly leaseMs: number;
  /** The kernel's per-source rate limit on UDP; undefined: off. */
  readonly meter?: SourceMeter | undefined;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Default `nft` from PATH. */
  readonly binary?: string;
}

export type BanSinkStart = { readonly ok: true; readonly sink: NftablesBanSink } | { readonly ok: false; readonly message: string };

/** Bans made by this edge waiting for nft; past this the next reconcile writes them. */
const MAX_QUEUED = 4096;
/** nft runs writing new bans at once, each for different addresses. */
const MAX_PARALLEL_BANS = 4;
/**
 * Allowed sources are gathered this long into one nft run: they come with
 * every allowed request, and the seen set only spares them the meter, which
 * a source allowed a moment ago has not yet reached at a phone's rate.
 */
const SEEN_BATCH_MS = 150;
/** How long a seen source stays exempt in the kernel; renewed when allowed again past half of it. */
const SEEN_TIMEOUT_MS = 3_600_000;
/** Allowed sources remembered as written; past it the oldest is forgotten (and written again when next allowed). */
const MAX_SEEN = 65_536;

type Operation = 'ban' | 'reconcile' | 'guard' | 'queue' | 'seen' | 'remove-table';

/** Why the sink cannot start, in the operator's terms. */
function startProblem(result: Exclude<NftResult, { ok: true }>, binary: string): string {
  const fallback = 'or set SIPWARDEN_BAN_SINK=edge to enforce bans in the edge alone';
  switch (result.problem) {
    case 'missing':
      return `${binary} not found: install nftables (Debian: apt-get install nftables), ${fallback}`;
    case 'not-permitted':
      return `${binary} may not change the ruleset (Operation not permitted): run with CAP_NET_ADMIN in the network namespace drachtio-server receives SIP in (Docker: cap_add NET_ADMIN), ${fallback}`;
    default:
      return `${binary} refused sipwarden's table: ${result.message}`;
  }
}

/**
 * The sink changes the ruleset of the network namespace sipwarden runs in:
 * a drachtio-server listening on an address this namespace lacks (its own
 * container) gets none of the drops, which is said rather than left silent.
 */
function warnIfElsewhere(listeners: readonly Listener[], logger: Logger): void {
  const local = new Set(Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address.toLowerCase())));
  const elsewhere = listeners.filter((l) => l.host !== WILDCARD_HOST && !local.has(l.host)).map((l) => `${l.transport}/${l.host}:${l.port}`);
  if (elsewhere.length > 0) {
    logger.warn({ listeners: elsewhere }, "kernel ban sink: drachtio-server listens on addresses this network namespace does not have; its packets never pass this kernel table (run sipwarden in drachtio-server's network namespace)");
  }
}

export class NftablesBanSink implements BanMirror {
  private ports: readonly GuardedPort[];
  /** The ban list as last handed over, with this edge's bans since: what the kernel should hold. */
  private bans = new Map<string, number | undefined>();
  /** This edge's bans not yet written. */
  private readonly queued = new Map<string, KernelBan>();
  private reconcileWanted = false;
  private guardWanted = false;
  /** Addresses written to the kernel and not removed since, for the gauge. */
  private readonly written = new Set<string>();
  /** The reconcile or rules change running, which no ban runs beside. */
  private exclusive: Promise<void> | undefined;
  /** The runs writing new bans. */
  private readonly banning = new Set<Promise<void>>();
  /** Allowed sources -> when they were queued for the seen sets (ms since the epoch), oldest first. */
  private readonly seenAt = new Map<string, number>();
  /** Allowed sources waiting for the next seen run. */
  private readonly seenQueued = new Set<string>();
  /** The seen run waiting or running: one at a time. */
  private seenRun: Promise<void> | undefined;
  private closed = false;
  private readonly binary: string;
  private readonly errors: Counter<'operation'>;
  private readonly elements: Gauge;
  private readonly seenAdded: Counter | undefined;
  private readonly meterDropped: Gauge | undefined;

  private constructor(private readonly options: NftablesBanSinkOptions) {
    this.ports = mergePorts([], options.ports);
    this.binary = options.binary ?? 'nft';
    const { registry } = options;
    this.errors = sharedMetric(
      registry,
      'sipwarden_ban_sink_errors_total',
      () => new Counter({ name: 'sipwarden_ban_sink_errors_total', help: 'nft runs of the kernel ban sink that failed (the edge enforces bans itself meanwhile), by operation: ban, reconcile, guard, queue (bans past the queue bound, left to the next reconcile), seen (allowed sources not exempted from the rate limit), remove-table.', labelNames: ['operation'], registers: [registry] }),
    );
    this.elements = sharedMetric(registry, 'sipwarden_ban_sink_elements', () => new Gauge({ name: 'sipwarden_ban_sink_elements', help: "Banned addresses in the kernel ban sink's sets, as sipwarden last wrote or read them.", registers: [registry] }));
    if (options.meter === undefined) return;
    this.seenAdded = sharedMetric(
      registry,
      'sipwarden_ban_sink_seen_added_total',
      () => new Counter({ name: 'sipwarden_ban_sink_seen_added_total', help: "Allowed sources written to the kernel sink's seen sets, exempt from its per-source rate limit for an hour.", registers: [registry] }),
    );
    this.meterDropped = sharedMetric(
      registry,
      'sipwarden_ban_sink_meter_dropped_packets',
      () => new Gauge({ name: 'sipwarden_ban_sink_meter_dropped_packets', help: "UDP packets the kernel's per-source rate limit dropped since the table was installed, as its rules' counters read at the last reconcile.", registers: [registry] }),
    );
  }

  private get layout(): KernelLayout {
    return { ports: this.ports, meter: this.options.meter };
  }

  /** Creates (or replaces) the table; an error value when nft is missing, not permitted, or refuses it. */
  static async start(options: NftablesBanSinkOptions): Promise<BanSinkStart> {
    const sink = new NftablesBanSink(options);
    const result = await sink.nft(['-f', '-'], tableBatch(options.table, sink.layout));
    if (!result.ok) return { ok: false, message: startProblem(result, sink.binary) };
    sink.elements.set(0);
    const { meter } = options;
    const limit = meter === undefined ? {} : { sourceRate: meter.rate, sourceBurst: meter.burst, exempt: meter.exempt.map((prefix) => prefix.text) };
    options.logger.info(
      { table: `inet ${options.table}`, ports: sink.ports.map((p) => `${p.protocol}:${p.port}`), ...limit },
      `kernel ban sink: table installed; banned sources are dropped by the kernel${meter === undefined ? '' : ', and UDP past the rate from sources neither exempt nor allowed lately'}`,
    );
    return { ok: true, sink };
  }

  banned(address: string, until: number): void {
    if (this.closed) return;
    this.bans.set(address, until);
    const ban = wantedElement(address, until, Date.now(), this.options.leaseMs);
    if (ban === undefined) return;
    if (this.queued.size >= MAX_QUEUED && !this.queued.has(ban.address)) {
      this.errors.inc({ operation: 'queue' });
      this.reconcileWanted = true;
    } else {
      this.queued.set(ban.address, ban);
    }
    this.kick();
  }

  mirror(bans: ReadonlyMap<string, number | undefined>): void {
    if (this.closed) return;
    this.bans = new Map(bans);
    this.reconcileWanted = true;
    this.kick();
  }

  /**
   * `address` was allowed: exempt it from the kernel's rate limit. Called
   * for every allowed request, so a source already written costs one map
   * look-up and allocates nothing.
   */
  allowed(address: string): void {
    const now = Date.now();
    const at = this.seenAt.get(address);
    if (at !== undefined && now - at < SEEN_TIMEOUT_MS / 2) return;
    // Past the bound it is not noted at all: its next request queues it again.
    if (this.options.meter === undefined || this.closed || this.seenQueued.size >= MAX_QUEUED) return;
    this.seenAt.delete(address);
    if (this.seenAt.size >= MAX_SEEN) this.seenAt.delete(this.seenAt.keys().next().value!);
    // Noted now, not once written: its next requests do not queue it again meanwhile.
    this.seenAt.set(address, now);
    this.seenQueued.add(address);
    this.kick();
  }

  /** Guards the ports of `listeners` too (those drachtio-server announces), from now on. */
  guard(listeners: readonly Listener[]): void {
    warnIfElsewhere(listeners, this.options.logger);
    const ports = mergePorts(this.ports, listeners.map(portOfListener));
    if (ports.length === this.ports.length || this.closed) return;
    this.ports = ports;
    this.guardWanted = true;
    this.kick();
    this.options.logger.info({ ports: ports.map((p) => `${p.protocol}:${p.port}`) }, 'kernel ban sink: guarding the ports drachtio-server announced');
  }

  /** Resolves once everything handed over so far has been tried. */
  async settled(): Promise<void> {
    while (this.exclusive !== undefined || this.banning.size > 0 || this.seenRun !== undefined) await Promise.all([this.exclusive, this.seenRun, ...this.banning]);
  }

  /**
   * Removes the table: a stopped sipwarden leaves nothing in the kernel, as
   * fail2ban removes its chains on stop (the next start mirrors the ban list
   * from Redis again). A crashed one leaves its elements, each with the
   * timeout of its ban, so the kernel lifts them itself.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    const result = await this.nft(['delete', 'table', 'inet', this.options.table]);
    if (!result.ok) this.failed('remove-table', result.message);
    this.elements.set(0);
  }

  private kick(): void {
    if (this.exclusive !== undefined || this.closed) return;
    if (this.guardWanted || this.reconcileWanted) {
      const running = Promise.all([this.seenRun, ...this.banning]).then(() => this.drainExclusive());
      this.exclusive = running.finally(() => {
        this.exclusive = undefined;
        this.kick();
      });
      return;
    }
    this.kickSeen();
    if (this.queued.size === 0 || this.banning.size >= MAX_PARALLEL_BANS) return;
    const bans = [...this.queued.values()];
    this.queued.clear();
    const run: Promise<void> = this.write(bans).finally(() => {
      this.banning.delete(run);
      this.kick();
    });
    this.banning.add(run);
  }

  /** Starts the next seen run, SEEN_BATCH_MS from now, unless one is waiting or running. */
  private kickSeen(): void {
    if (this.seenQueued.size === 0 || this.seenRun !== undefined) return;
    const run = new Promise((resolve) => setTimeout(resolve, SEEN_BATCH_MS))
      .then(() => this.writeSeen())
      .finally(() => {
        this.seenRun = undefined;
        this.kick();
      });
    this.seenRun = run;
  }

  private async writeSeen(): Promise<void> {
    const addresses = [...this.seenQueued];
    this.seenQueued.clear();
    const elements = addresses.flatMap((address) => {
      const parsed = kernelAddress(address);
      return parsed === undefined ? [] : [{ ...parsed, timeoutMs: SEEN_TIMEOUT_MS }];
    });
    const result = await this.nft(['-f', '-'], changesBatch(this.options.table, { upsert: elements, remove: [] }, SEEN_SET_OF));
    if (!result.ok) {
      // Forgotten, so that their next allowed request tries again.
      for (const address of addresses) this.seenAt.delete(address);
      return this.failed('seen', result.message);
    }
    this.seenAdded?.inc(elements.length);
  }

  /** The seen sources with the time they have left: what a replaced table gets back. */
  private seenElements(now: number): TimedAddress[] {
    return [...this.seenAt].flatMap(([address, at]) => {
      const parsed = this.seenQueued.has(address) ? undefined : kernelAddress(address);
      const timeoutMs = SEEN_TIMEOUT_MS - (now - at);
      return parsed === undefined || timeoutMs < MIN_TIMEOUT_MS ? [] : [{ ...parsed, timeoutMs }];
    });
  }

  private async drainExclusive(): Promise<void> {
    while (!this.closed && (this.guardWanted || this.reconcileWanted)) {
      if (this.guardWanted) {
        this.guardWanted = false;
        const result = await this.nft(['-f', '-'], guardBatch(this.options.table, this.layout));
        if (!result.ok) this.failed('guard', result.message);
      } else {
        this.reconcileWanted = false;
        // The reconcile writes what they would: the list includes this edge's bans.
        this.queued.clear();
        await this.reconcile();
      }
    }
  }

  private async write(bans: readonly KernelBan[]): Promise<void> {
    const result = await this.nft(['-f', '-'], changesBatch(this.options.table, { upsert: bans, remove: [] }));
    if (!result.ok) return this.failed('ban', result.message);
    for (const ban of bans) this.written.add(ban.address);
    this.elements.set(this.written.size);
  }

  /**
   * Reads the table and writes the difference; a table deleted or a chain
   * flushed by hand is put back whole, elements included, and exempt sets
   * flushed by hand are filled again. The seen sets are not read back: a
   * seen source lost from them is metered until it is allowed again past
   * half its timeout, which costs it nothing at a phone's rate.
   */
  private async reconcile(): Promise<void> {
    const { table, leaseMs } = this.options;
    const listed = await this.nft(['-j', 'list', 'table', 'inet', table]);
    const parsed = listed.ok ? parseKernelTable(listed.stdout, table) : undefined;
    if (!listed.ok && listed.problem !== 'no-such-table') return this.failed('reconcile', listed.message);
    if (parsed !== undefined && !parsed.ok) return this.failed('reconcile', parsed.message);
    const now = Date.now();
    const kernel = parsed?.table;
    const { meter } = this.options;
    if (kernel === undefined || kernel.rules !== guardRules(this.layout).length) {
      const plan = planMirror(this.bans, new Map(), now, leaseMs);
      const result = await this.nft(['-f', '-'], tableBatch(table, this.layout, plan.upsert, this.seenElements(now)));
      if (!result.ok) return this.failed('reconcile', result.message);
      this.options.logger.warn({ table: `inet ${table}` }, 'kernel ban sink: the table was changed by someone else; put back');
      this.wrote(plan.upsert.map((ban) => ban.address));
      return;
    }
    this.meterDropped?.set(kernel.meterDropped);
    const plan = planMirror(this.bans, kernel.elements, now, leaseMs);
    const exempt = meter !== undefined && kernel.exempt !== meter.exempt.length ? exemptBatch(table, meter.exempt) : '';
    if (plan.upsert.length + plan.remove.length > 0 || exempt !== '') {
      const result = await this.nft(['-f', '-'], changesBatch(table, plan) + exempt);
      if (!result.ok) return this.failed('reconcile', result.message);
    }
    const removed = new Set(plan.remove.map((ban) => ban.address));
    this.wrote([...[...kernel.elements.keys()].filter((address) => !removed.has(address)), ...plan.upsert.map((ban) => ban.address)]);
  }

  private wrote(addresses: readonly string[]): void {
    this.written.clear();
    for (const address of addresses) this.written.add(address);
    this.elements.set(this.written.size);
  }

  private failed(operation: Operation, message: string): void {
    this.errors.inc({ operation });
    this.options.logger.warn({ operation, err: message }, 'kernel ban sink: nft failed; the edge enforces bans itself');
  }

  private nft(args: readonly string[], stdin?: string): Promise<NftResult> {
    return runNft(this.binary, args, stdin);
  }
}
