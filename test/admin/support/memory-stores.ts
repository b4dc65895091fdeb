/**
 * The admin core's stores in memory: real implementations of the interfaces
 * in src/admin/admin-store.ts, not mocks of Redis. A list is kept as the raw
 * values a store holds and read through the same code as Redis's
 * (listStateOf, fingerprintOf); a write is validated and stamped by the same
 * prepareWrite, compared and set against the version it was made from, and
 * appends its audit record (as JSON, with its rev) in the same step.
 */
import type { AdminStores, AuditLog, DomainDirectory, ListStore } from '../../../src/admin/admin-store.js';
import { AUDIT_LENGTH, type AuditRecord } from '../../../src/store/audit-log.js';
import { type ListId, listIdKey } from '../../../src/store/keys.js';
import { listStateOf } from '../../../src/store/list-state.js';
import { type ListChange, type ReadResult, type WriteOptions, type WriteResult, conflictOf, prepareWrite } from '../../../src/store/list-update.js';
import { type RawList, fingerprintOf } from '../../../src/store/raw-list.js';

export class MemoryAuditLog implements AuditLog {
  private readonly logs = new Map<string, string[]>();

  append(tenant: string, record: AuditRecord): void {
    const log = this.logs.get(tenant) ?? [];
    log.unshift(JSON.stringify(record));
    this.logs.set(tenant, log.slice(0, AUDIT_LENGTH));
  }

  async read(tenant: string, limit = AUDIT_LENGTH): Promise<AuditRecord[]> {
    return (this.logs.get(tenant) ?? []).slice(0, limit).map((line) => JSON.parse(line) as AuditRecord);
  }
}

export class MemoryLists implements ListStore {
  private readonly lists = new Map<string, RawList>();
  /** Writes made, conflicts included: what a test of retries counts. */
  writes = 0;

  constructor(private readonly audit: MemoryAuditLog) {}

  /** The raw values, as a hand-made store (redis-cli) would hold them. */
  put(raw: RawList): void {
    this.lists.set(listIdKey(raw), raw);
  }

  async readState(id: ListId): Promise<ReadResult> {
    return listStateOf(this.raw(id));
  }

  async write(id: ListId, change: ListChange, options: WriteOptions): Promise<WriteResult> {
    this.writes++;
    const prepared = prepareWrite(id, change, options);
    if (!prepared.ok) return prepared;
    const current = this.raw(id);
    if (options.base !== undefined && options.base.fingerprint !== fingerprintOf(current)) return conflictOf(id);
    const rev = Number(current.rev ?? 0) + 1;
    const { cidrs, enabled, entries, countries } = prepared.values;
    const country = countries === undefined ? { countries: current.countries ?? null, countriesEnabled: current.countriesEnabled ?? null } : { countries: countries.codes, countriesEnabled: countries.enabled };
    this.put({ tenant: id.tenant, scope: id.scope, cidrs, enabled, entries, rev: String(rev), ...country });
    if (prepared.record !== undefined) this.audit.append(id.tenant, { ...prepared.record, rev });
    return { ok: true, rev, entries: prepared.entries };
  }

  private raw(id: ListId): RawList {
    return this.lists.get(listIdKey(id)) ?? { tenant: id.tenant, scope: id.scope, cidrs: null, enabled: null, entries: {}, rev: null };
  }
}

export class MemoryDomains implements DomainDirectory {
  private readonly domains = new Map<string, string>();

  async all(): Promise<Map<string, string>> {
    return new Map(this.domains);
  }

  async map(domain: string, tenant: string): Promise<void> {
    this.domains.set(domain, tenant);
  }

  async unmap(domain: string): Promise<boolean> {
    return this.domains.delete(domain);
  }
}

export function memoryStores(): AdminStores & { lists: MemoryLists; audit: MemoryAuditLog; domains: MemoryDomains } {
  const audit = new MemoryAuditLog();
  return { lists: new MemoryLists(audit), audit, domains: new MemoryDomains() };
}
