/**
 * Writes lists to Redis the way every sipwarden tool must: validate with the
 * policy engine first, then one Lua script (commit.lua) that checks nobody
 * wrote since the list was read (compare-and-set on its fingerprint),
 * replaces the enforced string, the toggle and the metadata, bumps the
 * revision and publishes the change, atomically. An invalid list writes
 * nothing.
 *
 * Each write first makes sure the store marker exists (store-marker.ts),
 * creating an `auto` one if not. That is a SET NX of its own rather than part
 * of the script: under Cluster the marker lives in another slot than the
 * tenant's keys, and a script may only touch one slot. The outcome is the
 * same as inside the script: a store flushed between the two holds the new
 * list without a marker, which edges that knew the old marker take for the
 * data loss it is, and the next write marks it again.
 */
import { AUDIT_LENGTH, type AuditContext, auditRecord } from './audit-log.js';
import type { KeySchema, ListId } from './keys.js';
import { type EntryError, type EntryInput, type ListEntry, type ListState, listStateOf, metaPatch, storedValuesOf } from './list-state.js';
import type { RedisClient } from './redis-connection.js';
import { RedisStoreMarker } from './redis-marker.js';
import type { RedisListSource } from './redis-source.js';
import { commitList } from './redis-scripts.js';
import { newMarker } from './store-marker.js';

export interface ListChange {
  readonly enabled: boolean;
  readonly entries: readonly EntryInput[];
}

export interface WriteOptions {
  /** Who writes: recorded in entry metadata (and the audit log). */
  readonly actor: string;
  /**
   * The version the change was made from: the write happens only if the list
   * is still at it, and its entries' creation stamps carry over. Without
   * one the write is unconditional.
   */
  readonly base?: ListState;
  /** Timestamp to record; now by default. */
  readonly now?: string;
  /** Records the change in the tenant's audit log, atomically with it. */
  readonly audit?: AuditContext;
}

export type WriteResult =
  | { readonly ok: true; readonly rev: number; readonly entries: readonly ListEntry[] }
  | { readonly ok: false; readonly reason: 'invalid'; readonly errors: readonly EntryError[]; readonly message: string }
  | { readonly ok: false; readonly reason: 'conflict'; readonly message: string };

export type ReadResult = { readonly ok: true; readonly state: ListState } | { readonly ok: false; readonly error: string };

export class RedisListWriter {
  private readonly marker: RedisStoreMarker;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
    private readonly source: RedisListSource,
  ) {
    this.marker = new RedisStoreMarker(client, keys.store);
  }

  async readState(id: ListId): Promise<ReadResult> {
    return listStateOf(await this.source.read(id));
  }

  async write(id: ListId, change: ListChange, options: WriteOptions): Promise<WriteResult> {
    const now = options.now ?? new Date().toISOString();
    const stored = storedValuesOf(change.entries, change.enabled, options.base?.entries ?? [], options.actor, now);
    if (!stored.ok) return { ok: false, reason: 'invalid', errors: stored.errors, message: stored.message };
    // From a known base only what changed goes over; without one, the whole hash.
    const patch = options.base && metaPatch(options.base.entries, stored.values.entries);
    const record =
      options.audit && auditRecord(id, options.base, { enabled: change.enabled, entries: stored.entries }, options.audit, options.actor, now);
    await this.marker.create(newMarker('auto', options.actor, now));
    const committed = await commitList(this.client, {
      list: this.keys.list(id),
      auditKey: this.keys.audit(id.tenant),
      expectedFingerprint: options.base?.fingerprint,
      cidrs: stored.values.cidrs,
      enabled: stored.values.enabled,
      entries: patch ? { mode: 'patch', ...patch } : { mode: 'replace', set: Object.entries(stored.values.entries) },
      channel: this.keys.changes,
      tenant: id.tenant,
      scope: id.scope,
      auditRecord: record,
      auditLength: AUDIT_LENGTH,
    });
    if (!committed.written) return { ok: false, reason: 'conflict', message: `${id.tenant}/${id.scope} changed since it was read; read it again` };
    return { ok: true, rev: committed.rev, entries: stored.entries };
  }

  /**
   * Read, change, write with compare-and-set, retried while other writers get
   * in first. `change` may refuse by returning a value with a `kind`.
   */
  async update<Refusal extends { readonly kind: string }>(
    id: ListId,
    change: (state: ListState) => ListChange | Refusal,
    options: Omit<WriteOptions, 'base'>,
    attempts = 30,
  ): Promise<
    | WriteResult
    | { readonly ok: false; readonly reason: 'unreadable'; readonly message: string }
    | { readonly ok: false; readonly reason: 'rejected'; readonly failure: Refusal }
  > {
    for (let attempt = 1; ; attempt++) {
      // Writers that retry at once can fall into lockstep, one always writing
      // between the other's read and write: a growing random pause breaks it.
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 10)));
      const current = await this.readState(id);
      if (!current.ok) return { ok: false, reason: 'unreadable', message: current.error };
      const next = change(current.state);
      if ('kind' in next) return { ok: false, reason: 'rejected', failure: next };
      const result = await this.write(id, next, { ...options, base: current.state });
      if (result.ok || result.reason !== 'conflict' || attempt >= attempts) return result;
    }
  }
}
