/**
 * What admins do to allowlists, behind both the CLI and the HTTP API: every
 * change is read-modify-write with compare-and-set (retried when another
 * writer got in first), validated by the policy engine, checked by the
 * lockout guard, and recorded in the audit log in the same atomic script.
 */
import {
  type Decision,
  type Scope,
  canonicalEntry,
  compileScopePolicy,
  decide,
  parseCidrList,
} from '../policy/index.js';
import { type AuditRecord, RedisAuditLog } from '../store/audit-log.js';
import { type KeySchema, type ListId, isValidTenant } from '../store/keys.js';
import type { EntryInput, ListEntry, ListState } from '../store/list-state.js';
import type { RedisClient } from '../store/redis-connection.js';
import type { ListChange, RedisListWriter } from '../store/redis-writer.js';
import { type EntryFilter, isEmptyFilter, matchesFilter } from './entry-filter.js';
import type { ImportedEntry } from './entry-import.js';

/** Who makes a change, and how far the lockout guard may be overridden. */
export interface Actor {
  readonly name: string;
  /** The admin's own address: checked by the lockout guard, recorded in the audit log. */
  readonly address?: string;
  /** Override the lockout guard. */
  readonly force?: boolean;
  /**
   * Set by the HTTP API: locking the caller out of the `admin` scope would
   * end the very session making the change, so there it cannot be forced.
   */
  readonly adminLockoutIsFinal?: boolean;
}

export interface InvalidItem {
  /** 1-based line of a mass insert, or 0-based position of a submitted entry. */
  readonly line?: number;
  readonly entry?: number;
  readonly token: string;
  readonly message: string;
}

export type AdminFailure =
  | { readonly kind: 'invalid'; readonly message: string; readonly items?: readonly InvalidItem[] }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'exists'; readonly message: string }
  | { readonly kind: 'lockout'; readonly message: string }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'unreadable'; readonly message: string };

export type AdminResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: AdminFailure };

export interface Written {
  readonly rev: number;
  readonly entries: readonly ListEntry[];
}

export interface ReplaceDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: readonly string[];
}

export type EntrySelector = { readonly values: readonly string[] } | { readonly filter: EntryFilter } | { readonly all: true };
export type BulkAction = 'enable' | 'disable' | 'delete';


const fail = (failure: AdminFailure): { ok: false; failure: AdminFailure } => ({ ok: false, failure });

/** The canonical form of one entry as typed, or why it is not one. */
export function canonicalValue(text: string): { ok: true; value: string } | { ok: false; message: string } {
  if (text.includes(',')) return { ok: false, message: `${JSON.stringify(text)}: one entry expected, found a comma` };
  const parsed = parseCidrList(text);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.list.length !== 1) return { ok: false, message: 'an entry is required' };
  return { ok: true, value: canonicalEntry(parsed.list, 0) };
}

function asInputs(entries: readonly ListEntry[]): EntryInput[] {
  return entries.map(({ value, description, active }) => ({ value, active, ...(description !== undefined && { description }) }));
}

/** The decision the list would give the address; undefined when it does not compile (validation reports that). */
function decisionFor(scope: Scope, enabled: boolean, entries: readonly EntryInput[], address: string): Decision | undefined {
  const active = entries.filter((e) => e.active);
  const list = active.map((e) => e.value.replaceAll(',', ' ')).join(',');
  const descriptions = new Map(active.flatMap((e) => (e.description ? [[e.value, e.description] as const] : [])));
  const compiled = compileScopePolicy({ scope, enabled, list, descriptions });
  return compiled.ok ? decide(compiled.policy, address) : undefined;
}

/** The canonical values named, or why one is not an entry. */
function canonicalValues(values: readonly string[]): string[] | AdminFailure {
  const canonical: string[] = [];
  for (const value of values) {
    const c = canonicalValue(value);
    if (!c.ok) return { kind: 'invalid', message: c.message };
    canonical.push(c.value);
  }
  return canonical;
}

/** Applies `edit` to the selected entries (undefined deletes one). */
function editSelected(state: ListState, selected: ReadonlySet<string>, edit: (entry: EntryInput) => EntryInput | undefined): ListChange {
  const entries = asInputs(state.entries).flatMap((e) => {
    if (!selected.has(e.value)) return [e];
    const edited = edit(e);
    return edited ? [edited] : [];
  });
  return { enabled: state.enabled, entries };
}

/** The named entries as a set, or not-found naming those the list lacks. */
function present(id: ListId, state: ListState, values: readonly string[]): Set<string> | AdminFailure {
  const missing = values.filter((v) => !state.entries.some((e) => e.value === v));
  if (missing.length > 0) return { kind: 'not-found', message: `not in ${id.tenant}/${id.scope}: ${missing.join(', ')}` };
  return new Set(values);
}

/** `values` as the whole active list: descriptions of staying entries kept, inactive entries left alone. */
function replacement(state: ListState, values: readonly string[]): { diff: ReplaceDiff; next: ListChange } {
  const wanted = new Set(values);
  const activeBefore = state.entries.filter((e) => e.active).map((e) => e.value);
  const before = new Set(activeBefore);
  const byValue = new Map(asInputs(state.entries).map((e) => [e.value, e]));
  return {
    diff: {
      added: values.filter((v) => !before.has(v)),
      removed: activeBefore.filter((v) => !wanted.has(v)),
      unchanged: values.filter((v) => before.has(v)),
    },
    next: {
      enabled: state.configured ? state.enabled : true,
      entries: [
        ...values.map((value) => ({ ...(byValue.get(value) ?? { value }), active: true })),
        ...asInputs(state.entries.filter((e) => !e.active && !wanted.has(e.value))),
      ],
    },
  };
}

/**
 * Refuses a change that takes away the admin's own access: allowed before,
 * denied after. A change to a list that already denied the admin (a SIP list
 * managed from a NOC, say) locks nobody out and passes.
 */
function lockout(id: ListId, before: ListState, next: ListChange, actor: Actor): AdminFailure | undefined {
  const finalHere = actor.adminLockoutIsFinal === true && id.scope === 'admin';
  if (actor.address === undefined) {
    if (id.scope !== 'admin' || actor.force) return undefined;
    return { kind: 'lockout', message: 'changing the admin scope needs your own address to check you keep access: give --my-ip, or --force' };
  }
  const was = decisionFor(id.scope, before.configured && before.enabled, asInputs(before.entries), actor.address);
  const will = decisionFor(id.scope, next.enabled, next.entries, actor.address);
  if (was === undefined || will === undefined || !was.allow || will.allow) return undefined;
  if (actor.force && !finalHere) return undefined;
  const how = finalHere ? 'this API session would lose access; make the change from an address that stays allowed' : 'add it first, or force';
  return {
    kind: 'lockout',
    message: `refused: this change would deny your own address ${actor.address} in ${id.tenant}/${id.scope} (${will.reason}); ${how}`,
  };
}

export class ListAdmin {
  constructor(
    private readonly writer: RedisListWriter,
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
  ) {}

  async show(id: ListId, filter: EntryFilter = {}): Promise<AdminResult<ListState>> {
    const read = await this.writer.readState(id);
    if (!read.ok) return fail({ kind: 'unreadable', message: `${id.tenant}/${id.scope}: ${read.error}` });
    return { ok: true, value: { ...read.state, entries: read.state.entries.filter((e) => matchesFilter(e, filter)) } };
  }

  async addEntry(actor: Actor, id: ListId, input: EntryInput): Promise<AdminResult<Written>> {
    const canonical = canonicalValue(input.value);
    if (!canonical.ok) return fail({ kind: 'invalid', message: canonical.message, items: [{ token: input.value, message: canonical.message }] });
    return this.change(actor, id, 'add', (state) => {
      if (state.entries.some((e) => e.value === canonical.value)) {
        return { kind: 'exists', message: `${canonical.value} is already in ${id.tenant}/${id.scope}` };
      }
      return { enabled: state.enabled, entries: [...asInputs(state.entries), { ...input, value: canonical.value }] };
    });
  }

  async editEntry(actor: Actor, id: ListId, value: string, patch: { description?: string; active?: boolean }): Promise<AdminResult<Written>> {
    return this.editValues(actor, id, 'edit', [value], (entry) => ({
      ...entry,
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.description !== undefined && { description: patch.description }),
    }));
  }

  async deleteEntry(actor: Actor, id: ListId, value: string): Promise<AdminResult<Written>> {
    return this.editValues(actor, id, 'delete', [value], () => undefined);
  }

  /**
   * Adds many entries; an entry already listed takes the new description and
   * state. Invalid lines refuse the whole import, unless `skipInvalid`.
   * `unreadable` are lines the caller's own parser could not read (a JSON
   * line that is not an object, say): they count as invalid lines, so every
   * bad line is reported at once.
   */
  async importEntries(
    actor: Actor,
    id: ListId,
    imported: readonly ImportedEntry[],
    skipInvalid: boolean,
    unreadable: readonly InvalidItem[] = [],
  ): Promise<AdminResult<Written & { imported: number; skipped: readonly InvalidItem[] }>> {
    const skipped: InvalidItem[] = [...unreadable];
    const valid: EntryInput[] = [];
    for (const { line, input } of imported) {
      const canonical = canonicalValue(input.value);
      if (canonical.ok) valid.push({ ...input, value: canonical.value });
      else skipped.push({ line, token: input.value, message: canonical.message.replace(/^invalid CIDR list, 1 bad entry: #1 /, '') });
    }
    skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    if (skipped.length > 0 && !skipInvalid) {
      const shown = skipped.slice(0, 20).map((s) => `line ${s.line}: ${s.message}`);
      const more = skipped.length > 20 ? `; and ${skipped.length - 20} more` : '';
      return fail({ kind: 'invalid', message: `${skipped.length} invalid ${skipped.length === 1 ? 'line' : 'lines'}, nothing written: ${shown.join('; ')}${more}`, items: skipped });
    }
    const result = await this.change(actor, id, 'import', (state) => {
      const incoming = new Map(valid.map((e) => [e.value, e]));
      const kept = asInputs(state.entries).map((e) => incoming.get(e.value) ?? e);
      const known = new Set(state.entries.map((e) => e.value));
      return { enabled: state.enabled, entries: [...kept, ...valid.filter((e) => !known.has(e.value))] };
    });
    return result.ok ? { ok: true, value: { ...result.value, imported: valid.length, skipped } } : result;
  }

  /**
   * Makes `cidrs` the whole active list, keeping descriptions of entries that
   * stay. With `dryRun`, only reports what would change.
   */
  async replace(actor: Actor, id: ListId, cidrs: string, dryRun: boolean): Promise<AdminResult<ReplaceDiff & { rev?: number }>> {
    const parsed = parseCidrList(cidrs);
    if (!parsed.ok) {
      const items = parsed.errors.map((e) => ({ entry: e.index - 1, token: e.token, message: e.message }));
      return fail({ kind: 'invalid', message: parsed.message, items });
    }
    const values = [...new Set(Array.from({ length: parsed.list.length }, (_, i) => canonicalEntry(parsed.list, i)))];
    if (dryRun) {
      const shown = await this.show(id);
      if (!shown.ok) return shown;
      const { diff, next } = replacement(shown.value, values);
      const refused = lockout(id, shown.value, next, actor);
      return refused ? fail(refused) : { ok: true, value: diff };
    }
    let diff: ReplaceDiff | undefined;
    const result = await this.change(actor, id, 'replace', (state) => {
      const planned = replacement(state, values);
      diff = planned.diff;
      return planned.next;
    });
    return result.ok ? { ok: true, value: { ...diff!, rev: result.value.rev } } : result;
  }

  async bulk(actor: Actor, id: ListId, selector: EntrySelector, action: BulkAction): Promise<AdminResult<Written & { affected: number }>> {
    if ('filter' in selector && isEmptyFilter(selector.filter)) {
      return fail({ kind: 'invalid', message: 'an empty filter would select every entry; select all explicitly' });
    }
    const named = 'values' in selector ? canonicalValues(selector.values) : undefined;
    if (named !== undefined && !Array.isArray(named)) return fail(named);
    let affected = 0;
    const result = await this.change(actor, id, `bulk-${action}`, (state) => {
      const filter = 'filter' in selector ? selector.filter : {};
      const selected = named !== undefined ? present(id, state, named) : new Set(state.entries.filter((e) => matchesFilter(e, filter)).map((e) => e.value));
      if (!(selected instanceof Set)) return selected;
      affected = selected.size;
      return editSelected(state, selected, (e) => (action === 'delete' ? undefined : { ...e, active: action === 'enable' }));
    });
    return result.ok ? { ok: true, value: { ...result.value, affected } } : result;
  }

  async setEnabled(actor: Actor, id: ListId, enabled: boolean): Promise<AdminResult<Written>> {
    return this.change(actor, id, enabled ? 'enable-scope' : 'disable-scope', (state) => ({ enabled, entries: asInputs(state.entries) }));
  }

  /** The decision the stored list gives an address now, with the entry that matched. */
  async check(id: ListId, address: string): Promise<AdminResult<Decision>> {
    const shown = await this.show(id);
    if (!shown.ok) return shown;
    const state = shown.value;
    const decision = decisionFor(id.scope, state.configured && state.enabled, asInputs(state.entries), address);
    return decision ? { ok: true, value: decision } : fail({ kind: 'unreadable', message: `${id.tenant}/${id.scope} does not compile` });
  }

  async audit(tenant: string, limit?: number): Promise<AuditRecord[]> {
    return new RedisAuditLog(this.client, this.keys).read(tenant, limit);
  }

  async listDomains(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.client.hgetall(this.keys.domains)));
  }

  async mapDomain(domain: string, tenant: string): Promise<AdminResult<void>> {
    if (!isValidTenant(tenant)) return fail({ kind: 'invalid', message: `${JSON.stringify(tenant)} is not a valid tenant name` });
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(domain)) return fail({ kind: 'invalid', message: `${JSON.stringify(domain)} is not a domain name` });
    await this.client.hset(this.keys.domains, domain.toLowerCase(), tenant);
    return { ok: true, value: undefined };
  }

  async unmapDomain(domain: string): Promise<AdminResult<void>> {
    if ((await this.client.hdel(this.keys.domains, domain.toLowerCase())) === 0) {
      return fail({ kind: 'not-found', message: `${domain} is not mapped` });
    }
    return { ok: true, value: undefined };
  }

  /** Applies `edit` to the named entries (undefined deletes one); unknown values are not-found. */
  private async editValues(
    actor: Actor,
    id: ListId,
    action: string,
    values: readonly string[],
    edit: (entry: EntryInput) => EntryInput | undefined,
  ): Promise<AdminResult<Written>> {
    const canonical = canonicalValues(values);
    if (!Array.isArray(canonical)) return fail(canonical);
    return this.change(actor, id, action, (state) => {
      const selected = present(id, state, canonical);
      return selected instanceof Set ? editSelected(state, selected, edit) : selected;
    });
  }

  /** Read, compute, guard, write with compare-and-set; retried on a concurrent write. */
  private async change(
    actor: Actor,
    id: ListId,
    action: string,
    compute: (state: ListState) => ListChange | AdminFailure,
  ): Promise<AdminResult<Written>> {
    const result = await this.writer.update(
      id,
      (state) => {
        const next = compute(state);
        return 'kind' in next ? next : (lockout(id, state, next, actor) ?? next);
      },
      { actor: actor.name, audit: { action, ...(actor.address !== undefined && { address: actor.address }) } },
    );
    if (result.ok) return { ok: true, value: { rev: result.rev, entries: result.entries } };
    switch (result.reason) {
      case 'rejected':
        return fail(result.failure);
      case 'invalid':
        return fail({ kind: 'invalid', message: result.message, items: result.errors.map((e) => ({ entry: e.entry, token: e.token, message: e.message })) });
      case 'conflict':
        return fail({ kind: 'conflict', message: result.message });
      case 'unreadable':
        return fail({ kind: 'unreadable', message: `${id.tenant}/${id.scope}: ${result.message}` });
    }
  }
}
