/**
 * A list as a store holds it, values untouched, and the one place that
 * interprets those values. Anything may have been written by hand, so every
 * value is checked; a bad one is an error value, never an exception.
 */
import { createHash } from 'node:crypto';
import { type Scope, parseCountrySet } from '../policy/index.js';
import type { ListId } from './keys.js';

/** The raw values of one list: exactly what GET/HGETALL returned (null for a missing key). */
export interface RawList extends ListId {
  readonly cidrs: string | null;
  readonly enabled: string | null;
  /** Entry metadata hash: canonical entry -> JSON EntryMeta. */
  readonly entries: Readonly<Record<string, string>>;
  readonly rev: string | null;
  /** The country set and its toggle (absent from stores that predate countries: read as null). */
  readonly countries?: string | null;
  readonly countriesEnabled?: string | null;
}

/** Metadata of one entry, stored as JSON in the entries hash. */
export interface EntryMeta {
  readonly description?: string;
  /** Only active entries are in the enforced string. */
  readonly active: boolean;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** What a list's raw values mean, before CIDR parsing. */
export interface ListSettings extends ListId {
  /** False when neither the list nor the toggle exists: the scope was never set up. */
  readonly configured: boolean;
  readonly enabled: boolean;
  /** The enforced string ('' when absent). */
  readonly cidrs: string;
  readonly meta: ReadonlyMap<string, EntryMeta>;
  readonly rev: number;
  /** The scope's country set (upper case, sorted) and its switch; off and empty when the keys are absent. */
  readonly countries: { readonly enabled: boolean; readonly codes: string };
}

export type Interpretation =
  | { readonly ok: true; readonly settings: ListSettings; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string };

const ON = new Set(['1', 'true', 'on', 'yes']);
const OFF = new Set(['0', 'false', 'off', 'no']);

/** Reads the toggle; absent means "on when a list exists", so a plain `SET …:cidrs` is enforced. */
function interpretEnabled(raw: RawList): boolean | string {
  return interpretToggle('enabled', raw.enabled, raw.cidrs);
}

function interpretToggle(name: string, toggle: string | null, value: string | null): boolean | string {
  if (toggle === null) return value !== null;
  const text = toggle.trim().toLowerCase();
  if (ON.has(text)) return true;
  if (OFF.has(text)) return false;
  return `${name} must be 1 or 0, found ${JSON.stringify(toggle.slice(0, 40))}`;
}

/** The country set and its toggle; absent toggle: on when the set exists, so a plain `SET …:countries` is enforced. */
function interpretCountries(raw: RawList): ListSettings['countries'] | string {
  const codes = raw.countries ?? null;
  const enabled = interpretToggle('countries:enabled', raw.countriesEnabled ?? null, codes);
  if (typeof enabled === 'string') return enabled;
  const parsed = parseCountrySet(codes ?? '');
  if (!parsed.ok) return `countries: ${parsed.message}`;
  return { enabled, codes: parsed.codes.join(',') };
}

const OPTIONAL_TEXT = ['description', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'] as const;

/** Parses one metadata value; undefined when it is not a valid EntryMeta. */
export function parseEntryMeta(json: string): EntryMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.active !== 'boolean') return undefined;
  const meta: Record<string, string | boolean> = { active: record.active };
  for (const field of OPTIONAL_TEXT) {
    const text = record[field];
    if (text === undefined) continue;
    if (typeof text !== 'string') return undefined;
    meta[field] = text;
  }
  return meta as unknown as EntryMeta;
}

export function interpretRawList(raw: RawList): Interpretation {
  const enabled = interpretEnabled(raw);
  if (typeof enabled === 'string') return { ok: false, error: enabled };
  const countries = interpretCountries(raw);
  if (typeof countries === 'string') return { ok: false, error: countries };
  const warnings: string[] = [];
  const meta = new Map<string, EntryMeta>();
  for (const [entry, json] of Object.entries(raw.entries)) {
    const parsed = parseEntryMeta(json);
    if (parsed === undefined) warnings.push(`metadata of ${JSON.stringify(entry)} is not valid JSON entry metadata; ignored`);
    else meta.set(entry, parsed);
  }
  const rev = raw.rev === null ? 0 : Number(raw.rev);
  if (!Number.isSafeInteger(rev) || rev < 0) warnings.push(`revision ${JSON.stringify(raw.rev)} is not a number; read as 0`);
  return {
    ok: true,
    warnings,
    settings: {
      tenant: raw.tenant,
      scope: raw.scope as Scope,
      configured: raw.cidrs !== null || raw.enabled !== null || (raw.countries ?? null) !== null || (raw.countriesEnabled ?? null) !== null,
      enabled,
      cidrs: raw.cidrs ?? '',
      meta,
      rev: Number.isSafeInteger(rev) && rev >= 0 ? rev : 0,
      countries,
    },
  };
}

/** Descriptions of the entries that have one, for explanations. */
export function descriptionsOf(settings: ListSettings): Map<string, string> {
  const descriptions = new Map<string, string>();
  for (const [entry, meta] of settings.meta) if (meta.description) descriptions.set(entry, meta.description);
  return descriptions;
}

/**
 * The fingerprint of a list: SHA-1 of its enforced string, toggle, revision
 * and number of metadata entries, joined by newlines, a missing value written
 * as "\u0000". Redis computes the same in Lua (scripts/list-fingerprint.lua),
 * so checking whether a list changed moves 40 bytes instead of the list. (A
 * description edited in place by hand changes none of these; it shows at the
 * list's next change.) The country set and its toggle follow, the same way,
 * only when either exists: a list without countries keeps the fingerprint it
 * had before countries existed.
 */
export function fingerprintOf(raw: Pick<RawList, 'cidrs' | 'enabled' | 'rev' | 'entries' | 'countries' | 'countriesEnabled'>): string {
  let text = `${raw.cidrs ?? '\u0000'}\n${raw.enabled ?? '\u0000'}\n${raw.rev ?? '\u0000'}\n${Object.keys(raw.entries).length}`;
  const countries = raw.countries ?? null;
  const countriesEnabled = raw.countriesEnabled ?? null;
  if (countries !== null || countriesEnabled !== null) text += `\n${countries ?? '\u0000'}\n${countriesEnabled ?? '\u0000'}`;
  return createHash('sha1').update(text).digest('hex');
}
