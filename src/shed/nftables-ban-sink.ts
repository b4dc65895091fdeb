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
 */
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BanMirror } from '../sip/auto-ban.js';
import type { Listener } from '../sip/index.js';
import { sharedMetric } from '../sip/shared-metric.js';
import { WILDCARD_HOST } from '../sip/transport.js';
import { type GuardedPort, mergePorts, portOfListener } from './guarded-ports.js';
import { type KernelBan, changesBatch, guardBatch, guardRules, tableBatch } from './nft-ruleset.js';
import { type NftResult, runNft } from './nft-command.js';
import { parseKernelTable } from './nft-listing.js';
import { planMirror, wantedElement } from './mirror-plan.js';

export interface NftablesBanSinkOptions {
  /** The table's name in family inet; nothing else is touched. */
  readonly table: string;
  /** The ports guarded from the start; more come from guard(). */
  readonly ports: readonly GuardedPort[];
  /** How long a ban without an expiry (added by hand) is mirrored at a time. */
  readonly leaseMs: number;
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

type Operation = 'ban' | 'reconcile' | 'guard' | 'queue' | 'remove-table';

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
  private closed = false;
  private readonly binary: string;
  private readonly errors: Counter<'operation'>;
  private readonly elements: Gauge;

  private constructor(private readonly options: NftablesBanSinkOptions) {
    this.ports = mergePorts([], options.ports);
    this.binary = options.binary ?? 'nft';
    const { registry } = options;
    this.errors = sharedMetric(
      registry,
      'sipwarden_ban_sink_errors_total',
      () => new Counter({ name: 'sipwarden_ban_sink_errors_total', help: 'nft runs of the kernel ban sink that failed (the edge enforces bans itself meanwhile), by operation: ban, reconcile, guard, queue (bans past the queue bound, left to the next reconcile), remove-table.', labelNames: ['operation'], registers: [registry] }),
    );
    this.elements = sharedMetric(registry, 'sipwarden_ban_sink_elements', () => new Gauge({ name: 'sipwarden_ban_sink_elements', help: "Banned addresses in the kernel ban sink's sets, as sipwarden last wrote or read them.", registers: [registry] }));
  }

  /** Creates (or replaces) the table; an error value when nft is missing, not permitted, or refuses it. */
  static async start(options: NftablesBanSinkOptions): Promise<BanSinkStart> {
    const sink = new NftablesBanSink(options);
    const result = await sink.nft(['-f', '-'], tableBatch(options.table, sink.ports));
    if (!result.ok) return { ok: false, message: startProblem(result, sink.binary) };
    sink.elements.set(0);
    options.logger.info({ table: `inet ${options.table}`, ports: sink.ports.map((p) => `${p.protocol}:${p.port}`) }, 'kernel ban sink: table installed; banned sources are dropped by the kernel');
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
    while (this.exclusive !== undefined || this.banning.size > 0) await Promise.all([this.exclusive, ...this.banning]);
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
      const running = Promise.all(this.banning).then(() => this.drainExclusive());
      this.exclusive = running.finally(() => {
        this.exclusive = undefined;
        this.kick();
      });
      return;
    }
    if (this.queued.size === 0 || this.banning.size >= MAX_PARALLEL_BANS) return;
    const bans = [...this.queued.values()];
    this.queued.clear();
    const run: Promise<void> = this.write(bans).finally(() => {
      this.banning.delete(run);
      this.kick();
    });
    this.banning.add(run);
  }

  private async drainExclusive(): Promise<void> {
    while (!this.closed && (this.guardWanted || this.reconcileWanted)) {
      if (this.guardWanted) {
        this.guardWanted = false;
        const result = await this.nft(['-f', '-'], guardBatch(this.options.table, this.ports));
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
   * flushed by hand is put back whole, elements included.
   */
  private async reconcile(): Promise<void> {
    const { table, leaseMs } = this.options;
    const listed = await this.nft(['-j', 'list', 'table', 'inet', table]);
    const parsed = listed.ok ? parseKernelTable(listed.stdout, table) : undefined;
    if (!listed.ok && listed.problem !== 'no-such-table') return this.failed('reconcile', listed.message);
    if (parsed !== undefined && !parsed.ok) return this.failed('reconcile', parsed.message);
    const now = Date.now();
    const kernel = parsed?.table;
    if (kernel === undefined || kernel.rules !== guardRules(this.ports).length) {
      const plan = planMirror(this.bans, new Map(), now, leaseMs);
      const result = await this.nft(['-f', '-'], tableBatch(table, this.ports, plan.upsert));
      if (!result.ok) return this.failed('reconcile', result.message);
      this.options.logger.warn({ table: `inet ${table}` }, 'kernel ban sink: the table was changed by someone else; put back');
      this.wrote(plan.upsert.map((ban) => ban.address));
      return;
    }
    const plan = planMirror(this.bans, kernel.elements, now, leaseMs);
    if (plan.upsert.length + plan.remove.length > 0) {
      const result = await this.nft(['-f', '-'], changesBatch(table, plan));
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
