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
import { AUDIT_LENGTH } from './audit-log.js';
import type { KeySchema, ListId } from './keys.js';
import { type ListState, listStateOf, metaPatch } from './list-state.js';
import { type ListChange, type ReadResult, type UpdateResult, type WriteOptions, type WriteResult, conflictOf, prepareWrite, updateList } from './list-update.js';
import type { RedisClient } from './redis-connection.js';
import { RedisStoreMarker } from './redis-marker.js';
import type { RedisListSource } from './redis-source.js';
import { commitList } from './redis-scripts.js';
import { newMarker } from './store-marker.js';

export type { ListChange, ReadResult, WriteOptions, WriteResult } from './list-update.js';

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
    const prepared = prepareWrite(id, change, options);
    if (!prepared.ok) return prepared;
    const { values, entries, record } = prepared;
    // From a known base only what changed goes over; without one, the whole hash.
    const patch = options.base && metaPatch(options.base.entries, values.entries);
    await this.marker.create(newMarker('auto', options.actor, options.now));
    const committed = await commitList(this.client, {
      list: this.keys.list(id),
      auditKey: this.keys.audit(id.tenant),
      expectedFingerprint: options.base?.fingerprint,
      cidrs: values.cidrs,
      enabled: values.enabled,
      entries: patch ? { mode: 'patch', ...patch } : { mode: 'replace', set: Object.entries(values.entries) },
      ...(values.countries !== undefined && { countries: values.countries }),
      channel: this.keys.changes,
      tenant: id.tenant,
      scope: id.scope,
      auditRecord: record,
      auditLength: AUDIT_LENGTH,
    });
    return committed.written ? { ok: true, rev: committed.rev, entries } : conflictOf(id);
  }

  /** Read, change, write with compare-and-set, retried while other writers get in first (see updateList). */
  update<Refusal extends { readonly kind: string }>(
    id: ListId,
    change: (state: ListState) => ListChange | Refusal,
    options: Omit<WriteOptions, 'base'>,
    attempts?: number,
  ): Promise<UpdateResult<Refusal>> {
    return updateList(this, id, change, options, attempts);
  }
}
