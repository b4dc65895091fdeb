/**
 * The allow/deny decision for one source address against one scope's list.
 *
 * A list's addresses and blocks are looked up first (the most specific one
 * containing the source wins); only when none does are its DNS names
 * consulted, through what they resolve to now (a NameAddresses, kept by the
 * edge's resolver). So names cost nothing to a source an address entry
 * allows, one map lookup to any other, and a name that resolves to nothing
 * (never resolved, or dropped after failing) allows nothing.
 *
 * Beside the list a scope has a country set with its own switch (issue 12).
 * When neither is on the scope is open; when either is, a source is allowed
 * when it matches an active entry of an enabled list, or its country (from
 * the CountryLookup the caller hands in) is in an enabled set. The country
 * is looked up only when the list has not allowed the source. An enabled
 * empty set allows nothing by country; an enabled empty list beside an
 * enabled country set allows nothing by list (EMPTY_LIST_ALLOWS applies only
 * when the list alone decides).
 *
 * Compiled with country data (a CountryTable), a scope whose set is on also
 * holds its list and allowed countries in one table (country-merge.ts): one
 * search answers a source the list or a country allows, and a denied source's
 * country is looked up after it, so `no-match` still carries it. decide()
 * uses that table only with the data it was compiled from, and otherwise
 * decides as above: the same answer, one search slower.
 */
import { type CountryLookup, type CountrySet, CountryTable, NO_COUNTRIES, NO_COUNTRY_DATA, parseCountrySet } from './country.js';
import { type ScopeCountryTables, mergeCountries } from './country-merge.js';
import { type CidrList, type CidrListResult, type CidrWarning, NAME_ENTRY, type TokenError, canonicalEntry, parseCidrList, writtenEntry } from './cidr-list.js';
import { CidrMatcher, NO_MATCH } from './cidr-matcher.js';
import { ADDRESS_WORDS, type Family, parseAddress } from './ip-address.js';
import { ownerOfIpv4, ownerOfIpv6 } from './range-table.js';
import { type NameAddresses, type NameHolder, NO_NAMES } from './name-table.js';
import { EMPTY_LIST_ALLOWS, type Scope } from './scope.js';

/**
 * Why a decision went the way it did. `policy-unavailable` is the fail-closed
 * answer when no valid list is known for the scope (nothing loaded yet, or
 * only malformed data): the caller could not decide, so it denies.
 */
export type DecisionReason =
  | 'scope-disabled'
  | 'matched'
  | 'country-allowed'
  | 'no-match'
  | 'empty-list'
  | 'bad-source-address'
  | 'policy-unavailable';

export interface MatchedEntry {
  /** The entry as written in the list. */
  readonly value: string;
  readonly description?: string;
  /**
   * Present only when the entry is a DNS name: the name (canonical, lower
   * case) and which of the addresses it resolves to now is the source.
   */
  readonly resolved?: NameHolder;
}

export interface Decision {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  /** The most specific entry that matched, when reason is `matched`. */
  readonly entry?: MatchedEntry;
  /**
   * The source's country (ISO 3166-1 alpha-2, upper case) when it was looked
   * up: always with `country-allowed`; with `no-match` when the scope's
   * country set is on and the data knows the address.
   */
  readonly country?: string;
}

/** One scope's list, compiled for lookups. */
export interface ScopePolicy {
  readonly scope: Scope;
  readonly enabled: boolean;
  readonly matcher: CidrMatcher;
  /** Entry descriptions keyed by canonical entry (`10.0.0.0/8`, `192.0.2.7`, `agent7.example.net`). */
  readonly descriptions: ReadonlyMap<string, string>;
  /** The list's DNS names (canonical) -> slot of the first entry naming it; empty for a list without names. */
  readonly names: ReadonlyMap<string, number>;
  /** The scope's country set and its switch. */
  readonly countries: CountrySet;
  /** The list and the allowed countries in one table, when the set is on and the policy was compiled with a CountryTable. */
  readonly countryTables?: PolicyCountryTables;
}

/** The merged tables, with the frozen decision of each of the data's countries at hand by owner. */
export interface PolicyCountryTables extends ScopeCountryTables {
  readonly decisions: CountryDecisions;
}

interface CountryDecisions {
  /** By index into the data's codes. */
  readonly allowed: readonly Decision[];
  readonly denied: readonly Decision[];
}

export interface ScopePolicyInput {
  readonly scope: Scope;
  readonly enabled: boolean;
  /** The enforced list: comma-separated CIDRs of the active entries. */
  readonly list: string;
  readonly descriptions?: ReadonlyMap<string, string>;
  /** The country set, comma-separated codes (`DE,FR`; lower case accepted), and its switch; absent: off. */
  readonly countries?: { readonly enabled: boolean; readonly codes: string };
}

export type ScopePolicyResult =
  | { readonly ok: true; readonly policy: ScopePolicy; readonly warnings: readonly CidrWarning[] }
  | { readonly ok: false; readonly errors: readonly TokenError[]; readonly message: string; readonly badCountries?: readonly string[] };

/**
 * Compiles a scope's list and country set; with `countryData` (what decide()
 * will be handed) also their merged table. Without it the policy decides the
 * same, through a second search.
 */
export function compileScopePolicy(input: ScopePolicyInput, countryData: CountryLookup = NO_COUNTRY_DATA): ScopePolicyResult {
  const parsed: CidrListResult = parseCidrList(input.list);
  if (!parsed.ok) return parsed;
  let countries = NO_COUNTRIES;
  if (input.countries !== undefined) {
    const set = parseCountrySet(input.countries.codes);
    if (!set.ok) return { ok: false, errors: [], message: set.message, badCountries: set.bad };
    if (input.countries.enabled || set.codes.length > 0) countries = { enabled: input.countries.enabled, codes: new Set(set.codes) };
  }
  const policy: ScopePolicy = {
    scope: input.scope,
    enabled: input.enabled,
    matcher: CidrMatcher.compile(parsed.list),
    descriptions: input.descriptions ?? new Map(),
    names: namesOf(parsed.list),
    countries,
  };
  return { ok: true, policy: withCountryData(policy, countryData), warnings: parsed.warnings };
}

/** The policy with its merged table for `data` (a reload), or without one when `data` is no CountryTable or its set is off. */
export function withCountryData(policy: ScopePolicy, data: CountryLookup): ScopePolicy {
  const { countryTables, ...rest } = policy;
  if (!policy.countries.enabled || !(data instanceof CountryTable)) return countryTables === undefined ? policy : rest;
  if (countryTables?.data === data) return policy;
  const tables = mergeCountries(policy.enabled ? policy.matcher : undefined, policy.countries.codes, data);
  return { ...rest, countryTables: { ...tables, decisions: countryDecisionsOf(data) } };
}

const decisionsByData = new WeakMap<CountryTable, CountryDecisions>();

function countryDecisionsOf(data: CountryTable): CountryDecisions {
  let decisions = decisionsByData.get(data);
  if (decisions === undefined) {
    decisions = { allowed: data.codes.map((code) => countryDecision(true, code)), denied: data.codes.map((code) => countryDecision(false, code)) };
    decisionsByData.set(data, decisions);
  }
  return decisions;
}

const NO_NAME_ENTRIES: ReadonlyMap<string, number> = new Map();

/** Canonical name -> first slot, for the list's name entries. */
function namesOf(list: CidrList): ReadonlyMap<string, number> {
  const first = list.families.indexOf(NAME_ENTRY);
  if (first < 0) return NO_NAME_ENTRIES;
  const names = new Map<string, number>();
  for (let slot = first; slot < list.length; slot++) {
    if (list.families[slot] !== NAME_ENTRY) continue;
    const name = canonicalEntry(list, slot);
    if (!names.has(name)) names.set(name, slot);
  }
  return names;
}

const scratch = new Uint32Array(ADDRESS_WORDS);

const DENY_BAD_SOURCE: Decision = Object.freeze({ allow: false, reason: 'bad-source-address' });
const ALLOW_DISABLED: Decision = Object.freeze({ allow: true, reason: 'scope-disabled' });
const DENY_NO_MATCH: Decision = Object.freeze({ allow: false, reason: 'no-match' });

/** The decision when no usable policy exists: deny. */
export const DENY_UNAVAILABLE: Decision = Object.freeze({ allow: false, reason: 'policy-unavailable' });

/**
 * Decides for `source`, an address as the transport reports it, with `names`
 * saying what the list's DNS names resolve to now (none by default). A source
 * that is not an IP address is denied whatever the scope says: it means the
 * caller is broken, and a broken caller must not open the door.
 */
export function decide(policy: ScopePolicy, source: string, names: NameAddresses = NO_NAMES, countries: CountryLookup = NO_COUNTRY_DATA): Decision {
  const family = parseAddress(source, scratch);
  if (family === 0) return DENY_BAD_SOURCE;
  const tables = policy.countryTables;
  if (tables !== undefined && tables.data === countries) return decideMerged(policy, tables, family, names);
  const byCountry = policy.countries.enabled;
  if (policy.enabled) {
    const list = policy.matcher.list;
    if (list.length === 0) {
      if (!byCountry) return { allow: EMPTY_LIST_ALLOWS[policy.scope], reason: 'empty-list' };
    } else {
      const slot = policy.matcher.lookupParsed(family, scratch);
      if (slot !== NO_MATCH) return matched(policy, slot);
      if (policy.names.size > 0) {
        const byName = matchedByName(policy, names.holdersAt(family, scratch));
        if (byName !== undefined) return byName;
      }
    }
  } else if (!byCountry) {
    return ALLOW_DISABLED;
  }
  if (!byCountry) return DENY_NO_MATCH;
  // lookupParsed and holdersAt leave scratch as parsed.
  const country = countries.countryAt(family, scratch);
  if (country === undefined) return DENY_NO_MATCH;
  return countryDecision(policy.countries.codes.has(country), country);
}

/** decide() through the merged table of a policy whose set is on: the same answers in one search. */
function decideMerged(policy: ScopePolicy, tables: PolicyCountryTables, family: Family, names: NameAddresses): Decision {
  const owner = family === 4 ? ownerOfIpv4(tables.ipv4, scratch[0]!) : ownerOfIpv6(tables.ipv6, scratch);
  if (owner >= 0 && owner < tables.base) return matched(policy, owner);
  // Names come before a country, as in decide(): the entry, not the country, is named.
  if (policy.enabled && policy.names.size > 0) {
    const byName = matchedByName(policy, names.holdersAt(family, scratch));
    if (byName !== undefined) return byName;
  }
  if (owner >= 0) return tables.decisions.allowed[owner - tables.base]!;
  // A denied source's country, from the whole data: the merged table holds only the allowed ones.
  const country = tables.data.ownerAt(family, scratch);
  return country < 0 ? DENY_NO_MATCH : tables.decisions.denied[country]!;
}

/** Frozen decisions by country (at most 250 of each), so a country decision allocates nothing. */
const COUNTRY_ALLOWED = new Map<string, Decision>();
const COUNTRY_NO_MATCH = new Map<string, Decision>();

function countryDecision(allow: boolean, country: string): Decision {
  const cache = allow ? COUNTRY_ALLOWED : COUNTRY_NO_MATCH;
  let decision = cache.get(country);
  if (decision === undefined) {
    decision = Object.freeze({ allow, reason: allow ? 'country-allowed' : 'no-match', country });
    cache.set(country, decision);
  }
  return decision;
}

function matched(policy: ScopePolicy, slot: number, resolved?: MatchedEntry['resolved']): Decision {
  const list = policy.matcher.list;
  const description = policy.descriptions.size > 0 ? policy.descriptions.get(resolved?.name ?? canonicalEntry(list, slot)) : undefined;
  const value = writtenEntry(list, slot);
  let entry: MatchedEntry;
  if (resolved === undefined) entry = description === undefined ? { value } : { value, description };
  else entry = description === undefined ? { value, resolved } : { value, description, resolved };
  return { allow: true, reason: 'matched', entry };
}

/** The decision through the first written of the list's names among those holding the source, if any. */
function matchedByName(policy: ScopePolicy, holders: readonly NameHolder[] | undefined): Decision | undefined {
  if (holders === undefined) return undefined;
  let slot = -1;
  let found: NameHolder | undefined;
  for (const holder of holders) {
    const at = policy.names.get(holder.name);
    if (at !== undefined && (slot < 0 || at < slot)) {
      slot = at;
      found = holder;
    }
  }
  return found === undefined ? undefined : matched(policy, slot, found);
}
