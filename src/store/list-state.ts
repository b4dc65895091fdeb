/**
 * The admin's view of a list (entries with metadata, active or not) and the
 * raw values a write stores for it. The enforced string is the truth for
 * active entries, so a list pushed by hand with redis-cli shows faithfully:
 * its entries simply have no description.
 */
import { type TokenError, canonicalEntry, parseCidrList } from '../policy/index.js';
import type { ListId } from './keys.js';
import { type EntryMeta, type RawList, fingerprintOf, interpretRawList } from './raw-list.js';

export interface ListEntry extends EntryMeta {
  /** Canonical entry: `192.0.2.0/24`, `198.51.100.7`, `2001:db8::/32`, `agent7.dyn.example.net` (isDnsName tells a name). */
  readonly value: string;
}

export interface ListState extends ListId {
  readonly configured: boolean;
  readonly enabled: boolean;
  /** Active entries first, in enforced order, then the inactive ones. */
  readonly entries: readonly ListEntry[];
  /** The enforced string as stored. */
  readonly cidrs: string;
  readonly rev: number;
  /** Identifies this version for compare-and-set writes. */
  readonly fingerprint: string;
  /** The scope's country set (upper case, sorted) and its switch, beside the list. */
  readonly countries: CountrySetting;
}

/** A country set as stored: ISO 3166-1 alpha-2 codes, upper case, sorted, and its switch. */
export interface CountrySetting {
  readonly enabled: boolean;
  readonly codes: readonly string[];
}

/**
 * One shape for every entry (absent fields undefined, which JSON leaves out):
 * object spreads cost a second per 100,000 entries.
 */
function entryOf(value: string, active: boolean, meta: Omit<EntryMeta, 'active'> | undefined): ListEntry {
  return {
    value,
    active,
    description: meta?.description,
    createdAt: meta?.createdAt,
    createdBy: meta?.createdBy,
    updatedAt: meta?.updatedAt,
    updatedBy: meta?.updatedBy,
  };
}

/** An entry's metadata as the entries hash stores it. */
export function metaJson(e: ListEntry): string {
  const meta: EntryMeta = { active: e.active, description: e.description, createdAt: e.createdAt, createdBy: e.createdBy, updatedAt: e.updatedAt, updatedBy: e.updatedBy };
  return JSON.stringify(meta);
}

/**
 * The smallest change of the entries hash from `base` to `next`: fields to
 * delete and fields to set. Adding one entry to a 100,000-entry list then
 * sends one field, not 100,000.
 */
export function metaPatch(base: readonly ListEntry[], next: Readonly<Record<string, string>>): { deleted: string[]; set: Array<[string, string]> } {
  const before = new Map(base.map((e) => [e.value, metaJson(e)]));
  return {
    deleted: [...before.keys()].filter((field) => !(field in next)),
    set: Object.entries(next).filter(([field, json]) => before.get(field) !== json),
  };
}

export type ListStateResult = { readonly ok: true; readonly state: ListState } | { readonly ok: false; readonly error: string };

export function listStateOf(raw: RawList): ListStateResult {
  const interpreted = interpretRawList(raw);
  if (!interpreted.ok) return { ok: false, error: interpreted.error };
  const { settings } = interpreted;
  const parsed = parseCidrList(settings.cidrs);
  if (!parsed.ok) return { ok: false, error: `stored list is malformed: ${parsed.message}` };
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  for (let slot = 0; slot < parsed.list.length; slot++) {
    const value = canonicalEntry(parsed.list, slot);
    if (seen.has(value)) continue;
    seen.add(value);
    entries.push(entryOf(value, true, settings.meta.get(value)));
  }
  for (const [value, meta] of settings.meta) {
    if (!meta.active && !seen.has(value)) entries.push(entryOf(value, false, meta));
  }
  return {
    ok: true,
    state: {
      tenant: raw.tenant,
      scope: raw.scope,
      configured: settings.configured,
      enabled: settings.enabled,
      entries,
      cidrs: settings.cidrs,
      rev: settings.rev,
      fingerprint: fingerprintOf(raw),
      countries: { enabled: settings.countries.enabled, codes: settings.countries.codes === '' ? [] : settings.countries.codes.split(',') },
    },
  };
}

/** An entry as an admin submits it. */
export interface EntryInput {
  readonly value: string;
  readonly description?: string;
  readonly active: boolean;
}

/** An invalid entry, by its position in the submitted entries (0-based). */
export interface EntryError extends Omit<TokenError, 'index' | 'offset'> {
  readonly entry: number;
}

export interface StoredValues {
  readonly cidrs: string;
  readonly enabled: '1' | '0';
  /** Entries hash: canonical entry -> metadata JSON. */
  readonly entries: Readonly<Record<string, string>>;
  /** The country set and its toggle to store; absent: left as they are. */
  readonly countries?: { readonly codes: string; readonly enabled: '1' | '0' };
}

export type StoredValuesResult =
  | { readonly ok: true; readonly values: StoredValues; readonly entries: readonly ListEntry[] }
  | { readonly ok: false; readonly errors: readonly EntryError[]; readonly message: string };

/**
 * Validates submitted entries and computes what to store. Metadata of entries
 * that were already there keeps its creation stamp; what changed gets
 * `updatedAt/By`. Repeated values keep the first.
 */
export function storedValuesOf(
  inputs: readonly EntryInput[],
  enabled: boolean,
  previous: readonly ListEntry[],
  actor: string,
  now: string,
): StoredValuesResult {
  // One token per input, so error and slot i are input i: a blank value becomes
  // a token that cannot parse, a comma inside a value cannot split it.
  const isBlank = (input: EntryInput) => input.value.trim() === '';
  const parsed = parseCidrList(inputs.map((e) => (isBlank(e) ? '-' : e.value.replaceAll(',', ' '))).join(','));
  if (!parsed.ok) {
    const errors = parsed.errors.map(({ index, offset: _offset, ...rest }): EntryError => {
      const entry = index - 1;
      return isBlank(inputs[entry]!) ? { entry, token: '', problem: 'empty-token', message: 'empty entry' } : { ...rest, entry };
    });
    const message = `invalid entries: ${errors.map((e) => `#${e.entry + 1} ${JSON.stringify(e.token)}: ${e.message}`).join('; ')}`;
    return { ok: false, errors, message };
  }
  const before = new Map(previous.map((e) => [e.value, e]));
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const value = canonicalEntry(parsed.list, i);
    if (seen.has(value)) return;
    seen.add(value);
    const old = before.get(value);
    const description = input.description?.trim() || undefined;
    const unchanged = old !== undefined && old.active === input.active && old.description === description;
    entries.push(
      entryOf(value, input.active, {
        description,
        createdAt: old?.createdAt ?? now,
        createdBy: old?.createdBy ?? actor,
        updatedAt: unchanged ? (old.updatedAt ?? now) : now,
        updatedBy: unchanged ? (old.updatedBy ?? actor) : actor,
      }),
    );
  });
  const stored: Record<string, string> = {};
  for (const e of entries) stored[e.value] = metaJson(e);
  return {
    ok: true,
    entries,
    values: {
      cidrs: entries.filter((e) => e.active).map((e) => e.value).join(','),
      enabled: enabled ? '1' : '0',
      entries: stored,
    },
  };
}
