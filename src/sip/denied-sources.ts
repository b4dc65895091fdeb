/**
 * Who is knocking (issue 14): the sources the edge denied, per tenant and
 * scope, in a table of fixed size, so a scan from a million addresses costs
 * the same memory as one from ten. Each interval the table is drained and its
 * rows are added up into the store (denied-log.ts): a 10,000/s flood from two
 * sources is two rows an interval, not 10,000 writes a second.
 *
 * When the table is full a new source takes the slot of the one with the
 * fewest denials among a few sampled at random (the approximation Redis's own
 * LFU eviction makes): the sources that knock most stay, the one-off probes
 * of a scan make way for each other, and no eviction scans the table.
 */
import type { Scope } from '../policy/index.js';
import type { DeniedSource } from '../store/denied-log.js';
import type { Transport } from './transport.js';

/** How many slots an eviction samples. */
const EVICTION_SAMPLE = 8;
/** User-Agent and domain are kept to this many characters (a hostile header can be 64 KiB). */
const MAX_TEXT = 128;

/** One denied request, as the filter saw it. */
export interface DeniedRequest {
  readonly tenant: string;
  readonly scope: Scope;
  readonly address: string;
  readonly method: string;
  readonly transport: Transport;
  readonly userAgent?: string | undefined;
  readonly domain?: string | undefined;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** True when the address came from a trusted proxy's forwarded-address header. */
  readonly forwarded?: boolean;
}

/** A row as noted: the headers kept raw, cleaned only when drained (once an interval, not once a request). */
interface Row {
  readonly tenant: string;
  readonly scope: Scope;
  readonly address: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  method: string;
  transport: string;
  userAgent: string | undefined;
  domain: string | undefined;
}

/** Printable ASCII only, cut to MAX_TEXT: what a log or a console may show of an attacker's header. */
function shown(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const cut = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

const keyOf = (tenant: string, scope: Scope, address: string) => `${tenant}\u0000${scope}\u0000${address}`;

export class DeniedSourceTable {
  private readonly index = new Map<string, number>();
  private rows: Row[] = [];
  /** Sources that lost their slot to another since the last drain. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.rows.length;
  }

  note(denied: DeniedRequest): void {
    const at = this.index.get(keyOf(denied.tenant, denied.scope, denied.address));
    if (at === undefined) {
      const { tenant, scope, address, method, transport, userAgent, domain, at: seen } = denied;
      this.insert({ tenant, scope, address, count: 1, firstSeen: seen, lastSeen: seen, method, transport, userAgent, domain });
      return;
    }
    const row = this.rows[at]!;
    row.count++;
    if (denied.at >= row.lastSeen) {
      row.lastSeen = denied.at;
      row.method = denied.method;
      row.transport = denied.transport;
      row.userAgent = denied.userAgent;
      row.domain = denied.domain;
    }
  }

  /**
   * Puts drained rows back (their flush failed), added to what was noted
   * since: the counts wait for the next flush. Bounded like any row.
   */
  restore(rows: readonly DeniedSource[]): void {
    for (const source of rows) {
      const at = this.index.get(keyOf(source.tenant, source.scope, source.address));
      if (at === undefined) {
        const { tenant, scope, address, count, firstSeen, lastSeen, method, transport, userAgent, domain } = source;
        this.insert({ tenant, scope, address, count, firstSeen, lastSeen, method, transport, userAgent, domain });
        continue;
      }
      const row = this.rows[at]!;
      row.count += source.count;
      if (source.firstSeen < row.firstSeen) row.firstSeen = source.firstSeen;
    }
  }

  private insert(row: Row): void {
    const key = keyOf(row.tenant, row.scope, row.address);
    if (this.rows.length < this.capacity) {
      this.index.set(key, this.rows.length);
      this.rows.push(row);
      return;
    }
    const victim = this.leastDenied();
    const old = this.rows[victim]!;
    this.index.delete(keyOf(old.tenant, old.scope, old.address));
    this.evicted++;
    this.rows[victim] = row;
    this.index.set(key, victim);
  }

  /** Every row since the last drain, headers cleaned; the table starts empty again. */
  drain(): DeniedSource[] {
    const rows = this.rows;
    this.rows = [];
    this.index.clear();
    this.evicted = 0;
    return rows.map(({ userAgent, domain, ...row }) => {
      const agent = shown(userAgent);
      const shownDomain = shown(domain);
      return { ...row, ...(agent !== undefined && { userAgent: agent }), ...(shownDomain !== undefined && { domain: shownDomain }) };
    });
  }

  private leastDenied(): number {
    let victim = Math.floor(Math.random() * this.rows.length);
    for (let i = 1; i < EVICTION_SAMPLE; i++) {
      const at = Math.floor(Math.random() * this.rows.length);
      if (this.rows[at]!.count < this.rows[victim]!.count) victim = at;
    }
    return victim;
  }
}
