/**
 * What admins do to allowlists, behind both the CLI and the HTTP API: each
 * operation here is the one both front ends call. Every change is
 * read-modify-write with compare-and-set (retried when another writer got in
 * first), validated by the policy engine, checked by the lockout guard, and
 * recorded in the audit log atomically with the write. The rules live beside
 * this: entry-value.ts (which entry a value names), lockout-guard.ts,
 * replace-diff.ts, bulk-rules.ts (import and bulk); the stores behind it are
 * interfaces (admin-store.ts).
 */
import type { CountryLookup, Decision } from '../policy/index.js';
import { NO_COUNTRY_DATA, isIpAddress, parseCountrySet } from '../policy/index.js';
import type { AuditRecord } from '../store/audit-log.js';
import { type ListId, isValidTenant } from '../store/keys.js';
import type { CountrySetting, EntryInput, ListEntry, ListState } from '../store/list-state.js';
import { type ListChange, updateList } from '../store/list-update.js';
import { type AdminFailure, type AdminResult, type InvalidItem, fail } from './admin-result.js';
import type { AdminStores } from './admin-store.js';
import { type BulkAction, type EntrySelector, bulkEdit, editSelected, importPlan, present, selected, selectorRefusal, withImported } from './bulk-rules.js';
import { type EntryFilter, entryMatcher, isEmptyFilter } from './entry-filter.js';
import { type ExportFormat, type Exported, exportList } from './list-export.js';
import type { ImportedEntry } from './entry-import.js';
import { asInput, canonicalNamed, canonicalValues } from './entry-value.js';
import { countryOfAddress } from './country-of-address.js';
import { type Actor, type GuardContext, countriesMatter, decisionFor, lockoutRefusal } from './lockout-guard.js';
import { NOTHING_RESOLVED, type NameLookup, type Resolved, type ShownEntry, dnsLookup, namesOf, withResolutions } from './name-resolution.js';
import { type ReplaceDiff, replacement, replacementValues } from './replace-diff.js';

export type { AdminFailure, AdminResult, InvalidItem } from './admin-result.js';
export type { BulkAction, EntrySelector } from './bulk-rules.js';
export type { Actor } from './lockout-guard.js';
export type { ReplaceDiff } from './replace-diff.js';
export type { Resolution, ShownEntry } from './name-resolution.js';

/** A list as shown: the entries of one page, each name entry with what it resolves to now. */
export interface ShownList extends ListState {
  readonly entries: readonly ShownEntry[];
  /** How many entries match the filter, on every page together. */
  readonly total: number;
}

/** Which of the matching entries to show: `limit` of them from `offset` (0-based); all by default. */
export interface Page {
  readonly offset?: number;
  readonly limit?: number;
}

/** A name of the list whose resolution is failing, as `check` reports it. */
export interface FailingName {
  readonly name: string;
  readonly state: 'grace' | 'failed';
  readonly failure?: string;
}

/**
 * A decision, with the active names that fail to resolve (a `failed` one
 * matches nothing; one in `grace` its last addresses), and the address's
 * country by the country data whether or not the scope's set is on
 * (`country-allowed` says the country decided).
 */
export type CheckResult = Decision & { readonly failing?: readonly FailingName[]; readonly addressCountry?: string };

/** A change of a scope's country set: new codes (comma-separated, any case), its switch, or both. */
export interface CountryChange {
  readonly codes?: string;
  readonly enabled?: boolean;
}

/** Which country an address is in, as the process knows it now (a reloaded .mmdb included); asked only when a country set matters. */
export type CountryData = () => CountryLookup;

export interface Written {
  readonly rev: number;
  readonly entries: readonly ListEntry[];
}

/** A change to one entry: its canonical value, and the entry as stored after (none once deleted). */
export interface EntryWritten extends Written {
  readonly value: string;
  readonly entry: ListEntry | undefined;
}

const DOMAIN = /^[A-Za-z0-9.-]{1,253}$/;

export class ListAdmin {
  /**
   * `lookup` resolves DNS names once (the admin tools have no edge cache); by
   * default with the system's resolver. `countries` places addresses in
   * countries for `check` and the lockout guard; by default no address has a
   * country.
   */
  constructor(
    private readonly stores: AdminStores,
    private readonly lookup: NameLookup = dnsLookup(),
    private readonly countries: CountryData = () => NO_COUNTRY_DATA,
  ) {}

  /**
   * The list with the entries matching `filter` (the page of them asked
   * for), each name entry shown with its resolution now: only the page's
   * names are resolved, so a page of a 100,000-entry list costs a page.
   */
  async show(id: ListId, filter: EntryFilter = {}, { offset = 0, limit }: Page = {}): Promise<AdminResult<ShownList>> {
    const read = await this.read(id, filter);
    if (!read.ok) return read;
    const matching = read.value.entries;
    const page = offset === 0 && limit === undefined ? matching : matching.slice(offset, limit === undefined ? undefined : offset + limit);
    const resolved = await this.lookup(namesOf(page, true));
    return { ok: true, value: { ...read.value, entries: withResolutions(page, resolved), total: matching.length } };
  }

  private async read(id: ListId, filter: EntryFilter = {}): Promise<AdminResult<ListState>> {
    const read = await this.stores.lists.readState(id);
    if (!read.ok) return fail({ kind: 'unreadable', message: `${id.tenant}/${id.scope}: ${read.error}` });
    if (isEmptyFilter(filter)) return { ok: true, value: read.state };
    return { ok: true, value: { ...read.state, entries: read.state.entries.filter(entryMatcher(filter)) } };
  }

  /** The selected entries as a file (list-export.ts says what each format holds and what takes it back). */
  async export(id: ListId, format: ExportFormat, filter: EntryFilter = {}): Promise<AdminResult<Exported>> {
    const shown = await this.read(id, filter);
    return shown.ok ? { ok: true, value: exportList(shown.value, format) } : shown;
  }

  /** One entry, named in any spelling. */
  async entry(id: ListId, value: string): Promise<AdminResult<ShownEntry>> {
    const canonical = canonicalNamed(value);
    if (typeof canonical !== 'string') return fail(canonical);
    const shown = await this.read(id);
    if (!shown.ok) return shown;
    const entry = shown.value.entries.find((e) => e.value === canonical);
    if (!entry) return fail({ kind: 'not-found', message: `${canonical} is not in ${id.tenant}/${id.scope}` });
    return { ok: true, value: withResolutions([entry], await this.lookup(namesOf([entry], true)))[0]! };
  }

  async addEntry(actor: Actor, id: ListId, input: EntryInput): Promise<AdminResult<EntryWritten>> {
    const value = canonicalNamed(input.value);
    if (typeof value !== 'string') return fail(value);
    const result = await this.change(
      actor,
      id,
      'add',
      (state) => {
        if (state.entries.some((e) => e.value === value)) return { kind: 'exists', message: `${value} is already in ${id.tenant}/${id.scope}` };
        return { enabled: state.enabled, entries: [...state.entries.map(asInput), { ...input, value }] };
      },
      [value],
    );
    return entryWritten(result, value);
  }

  async editEntry(actor: Actor, id: ListId, value: string, patch: { description?: string; active?: boolean }): Promise<AdminResult<EntryWritten>> {
    return this.editOne(actor, id, 'edit', value, (entry) => ({
      ...entry,
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.description !== undefined && { description: patch.description }),
    }));
  }

  async deleteEntry(actor: Actor, id: ListId, value: string): Promise<AdminResult<EntryWritten>> {
    return this.editOne(actor, id, 'delete', value, () => undefined);
  }

  /**
   * Adds many entries; an entry already listed takes the new description and
   * state. Invalid entries refuse the whole import, unless `skipInvalid`.
   * `unreadable` are items the caller's own parser could not read (a JSON
   * line that is not an object, say): they count as invalid entries, so every
   * bad one is reported at once.
   */
  async importEntries(
    actor: Actor,
    id: ListId,
    imported: readonly ImportedEntry[],
    skipInvalid: boolean,
    unreadable: readonly InvalidItem[] = [],
  ): Promise<AdminResult<Written & { imported: number; skipped: readonly InvalidItem[] }>> {
    const plan = importPlan(imported, skipInvalid, unreadable);
    if ('kind' in plan) return fail(plan);
    const result = await this.change(actor, id, 'import', (state) => withImported(state, plan.valid), plan.valid.map((e) => e.value));
    return result.ok ? { ok: true, value: { ...result.value, imported: plan.valid.length, skipped: plan.skipped } } : result;
  }

  /**
   * Makes `cidrs` the whole active list, keeping descriptions of entries that
   * stay. With `dryRun`, only reports what would change.
   */
  async replace(actor: Actor, id: ListId, cidrs: string, dryRun: boolean): Promise<AdminResult<ReplaceDiff & { rev?: number }>> {
    const values = replacementValues(cidrs);
    if (!Array.isArray(values)) return fail(values);
    if (dryRun) {
      const shown = await this.read(id);
      if (!shown.ok) return shown;
      const { diff, next } = replacement(shown.value, values);
      const names = await this.guardNames(actor, shown.value, values);
      const refused = lockoutRefusal(id, shown.value, next, actor, this.guardContext(shown.value, next, names.table));
      return refused ? fail(refused) : { ok: true, value: diff };
    }
    let diff: ReplaceDiff | undefined;
    const result = await this.change(
      actor,
      id,
      'replace',
      (state) => {
        const planned = replacement(state, values);
        diff = planned.diff;
        return planned.next;
      },
      values,
    );
    return result.ok ? { ok: true, value: { ...diff!, rev: result.value.rev } } : result;
  }

  async bulk(actor: Actor, id: ListId, selector: EntrySelector, action: BulkAction): Promise<AdminResult<Written & { affected: number }>> {
    const refused = selectorRefusal(selector);
    if (refused) return fail(refused);
    const named = 'values' in selector ? canonicalValues(selector.values) : undefined;
    if (named !== undefined && !Array.isArray(named)) return fail(named);
    let affected = 0;
    const result = await this.change(actor, id, `bulk-${action}`, (state) => {
      const chosen = selected(id, state, selector, named);
      if (!(chosen instanceof Set)) return chosen;
      affected = chosen.size;
      return editSelected(state, chosen, bulkEdit(action));
    });
    return result.ok ? { ok: true, value: { ...result.value, affected } } : result;
  }

  async setEnabled(actor: Actor, id: ListId, enabled: boolean): Promise<AdminResult<Written>> {
    return this.change(actor, id, enabled ? 'enable-scope' : 'disable-scope', (state) => ({ enabled, entries: state.entries.map(asInput) }));
  }

  /**
   * Sets the scope's allowed countries, switches them on or off, or both;
   * the list is left as it is. Codes are validated (every bad one named)
   * before anything is read, and the lockout guard counts countries.
   */
  async setCountries(actor: Actor, id: ListId, change: CountryChange): Promise<AdminResult<Written & { countries: CountrySetting }>> {
    if (change.codes === undefined && change.enabled === undefined) return fail({ kind: 'invalid', message: 'give the countries, the switch (enabled), or both' });
    const parsed = change.codes === undefined ? undefined : parseCountrySet(change.codes);
    if (parsed !== undefined && !parsed.ok) return fail({ kind: 'invalid', message: parsed.message });
    let countries: CountrySetting | undefined;
    const action = change.codes === undefined ? (change.enabled ? 'enable-countries' : 'disable-countries') : 'set-countries';
    const result = await this.change(actor, id, action, (state) => {
      countries = { enabled: change.enabled ?? state.countries.enabled, codes: parsed?.codes ?? state.countries.codes };
      return { enabled: state.enabled, entries: state.entries.map(asInput), countries };
    });
    return result.ok ? { ok: true, value: { ...result.value, countries: countries! } } : result;
  }

  /** The decision the stored list gives an address now, with the entry that matched. */
  /**
   * The decision the stored list gives an address now, with the entry that
   * matched (through a name: the name and the address it resolves to), and
   * the active names failing to resolve.
   */
  async check(id: ListId, address: string): Promise<AdminResult<CheckResult>> {
    if (!isIpAddress(address)) return fail({ kind: 'invalid', message: `${JSON.stringify(address)} is not an IP address`, items: [{ token: address, message: 'not an IP address' }] });
    const shown = await this.read(id);
    if (!shown.ok) return shown;
    const state = shown.value;
    const enabled = state.configured && state.enabled;
    const resolved = enabled ? await this.lookup(namesOf(state.entries)) : NOTHING_RESOLVED;
    const countries = this.countries();
    const decision = decisionFor(id.scope, { ...state, enabled }, address, { names: resolved.table, countries });
    if (!decision) return fail({ kind: 'unreadable', message: `${id.tenant}/${id.scope} does not compile` });
    const failing = [...resolved.resolutions].flatMap(([name, r]): FailingName[] =>
      r.state === 'failed' || r.state === 'grace' ? [{ name, state: r.state, ...(r.failure !== undefined && { failure: r.failure }) }] : [],
    );
    const addressCountry = countryOfAddress(countries, address);
    return { ok: true, value: { ...decision, ...(failing.length > 0 && { failing }), ...(addressCountry !== undefined && { addressCountry }) } };
  }

  async audit(tenant: string, limit?: number): Promise<AuditRecord[]> {
    return this.stores.audit.read(tenant, limit);
  }

  async listDomains(): Promise<Map<string, string>> {
    return this.stores.domains.all();
  }

  async mapDomain(domain: string, tenant: string): Promise<AdminResult<void>> {
    if (!isValidTenant(tenant)) return fail({ kind: 'invalid', message: `${JSON.stringify(tenant)} is not a valid tenant name` });
    if (!DOMAIN.test(domain)) return fail({ kind: 'invalid', message: `${JSON.stringify(domain)} is not a domain name` });
    await this.stores.domains.map(domain.toLowerCase(), tenant);
    return { ok: true, value: undefined };
  }

  async unmapDomain(domain: string): Promise<AdminResult<void>> {
    if (!(await this.stores.domains.unmap(domain.toLowerCase()))) return fail({ kind: 'not-found', message: `${domain} is not mapped` });
    return { ok: true, value: undefined };
  }

  /** Applies `edit` to the entry named (undefined deletes it); not-found when the list lacks it. */
  private async editOne(
    actor: Actor,
    id: ListId,
    action: string,
    value: string,
    edit: (entry: EntryInput) => EntryInput | undefined,
  ): Promise<AdminResult<EntryWritten>> {
    const canonical = canonicalNamed(value);
    if (typeof canonical !== 'string') return fail(canonical);
    const result = await this.change(actor, id, action, (state) => {
      const chosen = present(id, state, [canonical]);
      return chosen instanceof Set ? editSelected(state, chosen, edit) : chosen;
    });
    return entryWritten(result, canonical);
  }

  /**
   * What the lockout guard needs resolved: the active names of the list as
   * stored and the names a change brings (`values`), once, before the write.
   * Only when the guard will check an address. A name that fails to resolve
   * (or one a concurrent writer added meanwhile) matches nothing for it.
   */
  private async guardNames(actor: Actor, state: ListState | undefined, values: readonly string[]): Promise<Resolved> {
    if (actor.address === undefined) return NOTHING_RESOLVED;
    const names = new Set([...namesOf(state?.entries ?? []), ...namesOf(values.map((value) => ({ value, active: true })))]);
    return names.size === 0 ? NOTHING_RESOLVED : this.lookup([...names]);
  }

  /** What the guard decides with; the country data is asked for only when a country set is on before or after. */
  private guardContext(before: ListState, next: ListChange, names: GuardContext['names']): GuardContext {
    return { ...(names !== undefined && { names }), ...(countriesMatter(before, next) && { countries: this.countries() }) };
  }

  /** Read, compute, guard, write with compare-and-set; retried on a concurrent write. */
  private async change(
    actor: Actor,
    id: ListId,
    action: string,
    compute: (state: ListState) => ListChange | AdminFailure,
    values: readonly string[] = [],
  ): Promise<AdminResult<Written>> {
    let names = NOTHING_RESOLVED;
    if (actor.address !== undefined) {
      const read = await this.stores.lists.readState(id);
      names = await this.guardNames(actor, read.ok ? read.state : undefined, values);
    }
    const result = await updateList(
      this.stores.lists,
      id,
      (state) => {
        const next = compute(state);
        return 'kind' in next ? next : (lockoutRefusal(id, state, next, actor, this.guardContext(state, next, names.table)) ?? next);
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

function entryWritten(result: AdminResult<Written>, value: string): AdminResult<EntryWritten> {
  return result.ok ? { ok: true, value: { ...result.value, value, entry: result.value.entries.find((e) => e.value === value) } } : result;
}
