/**
 * What the admin core needs from a store, and nothing of how it keeps it: the
 * lists (read a version, write a change made from one, with compare-and-set),
 * the audit log each write appends to, and the SIP domain map. open-admin.ts
 * gives the Redis implementations (src/store); tests give in-memory ones, so
 * the admin rules run without a Redis.
 */
import type { AuditRecord } from '../store/audit-log.js';
import type { ListId } from '../store/keys.js';
import type { ListChange, ReadResult, WriteOptions, WriteResult } from '../store/list-update.js';

export interface ListStore {
  /** The list now, with the fingerprint a write made from it must still find. */
  readState(id: ListId): Promise<ReadResult>;
  /**
   * Validates and writes a change, recording `options.audit` in the audit
   * log atomically with it; a conflict when the list is no longer at
   * `options.base`.
   */
  write(id: ListId, change: ListChange, options: WriteOptions): Promise<WriteResult>;
}

export interface AuditLog {
  /** The tenant's newest records first, at most `limit`. */
  read(tenant: string, limit?: number): Promise<AuditRecord[]>;
}

export interface DomainDirectory {
  /** Every mapping, domain to tenant. */
  all(): Promise<Map<string, string>>;
  map(domain: string, tenant: string): Promise<void>;
  /** True when the domain was mapped. */
  unmap(domain: string): Promise<boolean>;
}

export interface AdminStores {
  readonly lists: ListStore;
  readonly audit: AuditLog;
  readonly domains: DomainDirectory;
}
