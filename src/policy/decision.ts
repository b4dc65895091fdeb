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
 * the CountryLookup the caller hands in) is in an enabled set. The list
 * decides first: a country answers only for a source it has not allowed. An enabled
 * empty set allows nothing by country; an enabled empty list beside an
 * enabled country set allows nothing by list (EMPTY_LIST_ALLOWS applies only
 * when the list alone decides).
 *
 * Compiled with country data (a CountryTable), a scope whose set is on also
 * holds its decision for each country of that data and the IPv4 /20s its
 * list holds addresses of (country-allowance.ts), and the data names an
 * IPv4 source's country through its direct index (ipv4-country-index.ts):
 * a source in a /20 the list does not touch is decided by a few array reads,
 * the list's search skipped; any other source pays them before the search,
 * so they overlap it. `no-match` still carries the country. decide() uses the
 * membership only with the data it was compiled for, and otherwise decides
 * as above through countryAt: the same answer.
 */
import { type CountryLookup, type CountrySet, CountryTable, NO_COUNTRIES, NO_COUNTRY_DATA, parseCountrySet } from './country.js';
import { type AllowedCountries, allowedCountriesOf, countryDecision, decideByCountry, decideIpv4ByCountry } from './country-allowance.js';
import { type CidrList, type CidrListResult, type CidrWarning, NAME_ENTRY, type TokenError, canonicalEntry, parseCidrList, writtenEntry } from './cidr-list.js';
import { CidrMatcher, NO_MATCH } from './cidr-matcher.js';
import { ADDRESS_WORDS, parseAddress } from './ip-address.js';
import { ipv4Slash20Owned } from './range-table.js';
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
  /**
   * The set against the data the policy was compiled with, when the set is on
   * and that data is a CountryTable; present (undefined) otherwise, so every
   * policy has one shape and decide()'s property reads stay monomorphic.
   */
  readonly allowedCountries: AllowedCountries | undefined;
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
 * will be handed) also the set's membership in it. Without it the policy
 * decides the same, through countryAt and the set's codes.
 */
export function compileScopePolicy(input: ScopePolicyInput, countryData: CountryLookup = NO_COUNTRY_DATA): ScopePolicyResult {
  const parsed: CidrListResult = parseCidrList(input.list);
  if (!parsed.ok) return parsed;
  let countries = NO_COUNTRIES;
  if (input.countries !== undefined) {
    const set = parseCountrySet(input.countries.codes);
    if (!set.ok) return { ok: false, errors: [], message: set.message, badCountries: set.bad };
    if (input.countries.enabled || set.codes.length > 0) countries = Object.freeze({ enabled: input.countries.enabled, codes: new Set(set.codes) });
  }
  const policy = policyWith(
    { scope: input.scope, enabled: input.enabled, matcher: CidrMatcher.compile(parsed.list), descriptions: input.descriptions ?? new Map(), names: namesOf(parsed.list), countries },
    undefined,
  );
  return { ok: true, policy: withCountryData(policy, countryData), warnings: parsed.warnings };
}

/** The policy with its set's membership in `data` (a reload), or without one when `data` is no CountryTable or its set is off. */
export function withCountryData(policy: ScopePolicy, data: CountryLookup): ScopePolicy {
  if (!policy.countries.enabled || !(data instanceof CountryTable)) return policy.allowedCountries === undefined ? policy : policyWith(policy, undefined);
  if (policy.allowedCountries?.data === data) return policy;
  return policyWith(policy, allowedCountriesOf(policy.countries.codes, data, DENY_NO_MATCH, listedSlash20s(policy)));
}

/** Every policy is made here, its fields in one order, so all have one hidden class. */
function policyWith(p: Omit<ScopePolicy, 'allowedCountries'>, allowedCountries: AllowedCountries | undefined): ScopePolicy {
  return { scope: p.scope, enabled: p.enabled, matcher: p.matcher, descriptions: p.descriptions, names: p.names, countries: p.countries, allowedCountries };
}

/** The /20s the policy's list can allow an address of (AllowedCountries.listed): none when the list does not decide. */
function listedSlash20s(policy: ScopePolicy): Uint32Array | undefined {
  if (!policy.enabled || policy.matcher.list.length === 0) return NOTHING_LISTED;
  return policy.names.size > 0 ? undefined : policy.matcher.ipv4Slash20s();
}

const NOTHING_LISTED = new Uint32Array(1 << 15);

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
  const compiled = policy.allowedCountries;
  let byCompiledSet: Decision | undefined;
  if (compiled !== undefined && compiled.data === countries) {
    // An IPv4 source in a /20 the list holds nothing of is decided by its
    // country alone, the list's search skipped (bench:country).
    if (family === 4 && compiled.listed !== undefined && !ipv4Slash20Owned(compiled.listed, scratch[0]!)) return decideIpv4ByCountry(compiled, scratch[0]!);
    // Read before the list's search, so these reads overlap the search's
    // instead of waiting on its branches; a source the list allows pays for
    // them unused (IPv4: a few array reads; IPv6: a search of the data).
    byCompiledSet = decideByCountry(compiled, family, scratch);
  }
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
  if (byCompiledSet !== undefined) return byCompiledSet;
  // lookupParsed and holdersAt leave scratch as parsed.
  const country = countries.countryAt(family, scratch);
  if (country === undefined) return DENY_NO_MATCH;
  return countryDecision(policy.countries.codes.has(country), country);
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
