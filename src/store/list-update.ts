/**
 * A write of one list as every store makes it, whatever holds the list:
 * validated by the policy engine first (an invalid list writes nothing),
 * stamped, and summarised for the audit log; then committed by the store with
 * compare-and-set on the version it was made from. `updateList` is the
 * read-modify-write loop over any such store, retried while other writers get
 * in first.
 */
import { type AuditContext, type AuditRecord, auditRecord } from './audit-log.js';
import type { ListId } from './keys.js';
import { parseCountrySet } from '../policy/index.js';
import { type CountrySetting, type EntryError, type EntryInput, type ListEntry, type ListState, type ListStateResult, type StoredValues, storedValuesOf } from './list-state.js';

export interface ListChange {
  readonly enabled: boolean;
  readonly entries: readonly EntryInput[];
  /** The scope's new country set and switch; absent: the stored ones stay as they are. */
  readonly countries?: CountrySetting;
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

export type ReadResult = ListStateResult;

export type UpdateResult<Refusal> =
  | WriteResult
  | { readonly ok: false; readonly reason: 'unreadable'; readonly message: string }
  | { readonly ok: false; readonly reason: 'rejected'; readonly failure: Refusal };

/** What a store commits for a change: the values to store and the audit record (its rev left to the commit). */
export interface PreparedWrite {
  readonly ok: true;
  readonly values: StoredValues;
  readonly entries: readonly ListEntry[];
  readonly record: AuditRecord | undefined;
}

/** Validates and stamps a change, or says why it is invalid. */
export function prepareWrite(id: ListId, change: ListChange, options: WriteOptions): PreparedWrite | Extract<WriteResult, { reason: 'invalid' }> {
  const now = options.now ?? new Date().toISOString();
  const stored = storedValuesOf(change.entries, change.enabled, options.base?.entries ?? [], options.actor, now);
  if (!stored.ok) return { ok: false, reason: 'invalid', errors: stored.errors, message: stored.message };
  let values: StoredValues = stored.values;
  if (change.countries !== undefined) {
    const set = parseCountrySet(change.countries.codes.join(','));
    if (!set.ok) return { ok: false, reason: 'invalid', errors: [], message: `countries: ${set.message}` };
    values = { ...values, countries: { codes: set.codes.join(','), enabled: change.countries.enabled ? '1' : '0' } };
  }
  const countries = change.countries ?? options.base?.countries;
  const next = { enabled: change.enabled, entries: stored.entries, ...(countries !== undefined && { countries }) };
  const record = options.audit && auditRecord(id, options.base, next, options.audit, options.actor, now);
  return { ok: true, values, entries: stored.entries, record };
}

/** The message of a write that lost the compare-and-set. */
export const conflictOf = (id: ListId): WriteResult => ({ ok: false, reason: 'conflict', message: `${id.tenant}/${id.scope} changed since it was read; read it again` });

/** A store of lists: read a version, write a change made from one. */
export interface ListReadWrite {
  readState(id: ListId): Promise<ReadResult>;
  write(id: ListId, change: ListChange, options: WriteOptions): Promise<WriteResult>;
}

/**
 * Read, change, write with compare-and-set, retried while other writers get
 * in first. `change` may refuse by returning a value with a `kind`.
 */
export async function updateList<Refusal extends { readonly kind: string }>(
  store: ListReadWrite,
  id: ListId,
  change: (state: ListState) => ListChange | Refusal,
  options: Omit<WriteOptions, 'base'>,
  attempts = 30,
): Promise<UpdateResult<Refusal>> {
  for (let attempt = 1; ; attempt++) {
    // Writers that retry at once can fall into lockstep, one always writing
    // between the other's read and write: a growing random pause breaks it.
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 10)));
    const current = await store.readState(id);
    if (!current.ok) return { ok: false, reason: 'unreadable', message: current.error };
    const next = change(current.state);
    if ('kind' in next) return { ok: false, reason: 'rejected', failure: next };
    const result = await store.write(id, next, { ...options, base: current.state });
    if (result.ok || result.reason !== 'conflict' || attempt >= attempts) return result;
  }
}
