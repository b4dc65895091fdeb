/**
 * A scope's country set compiled against one country data (issue 12): the
 * scope's frozen decision for each country of the data, so once the data's
 * IPv4 index (or IPv6 search) has named the source's country, "is it
 * allowed?" is one array read, and deciding by country allocates nothing.
 * A pointer per country of the data per scope, and a bit per IPv4 /20 for
 * the list beside it: nothing of the data is copied into a scope (see
 * country.ts for why).
 */
import type { CountryTable } from './country.js';
import type { Decision } from './decision.js';
import type { Family } from './ip-address.js';
import { ownerOfIpv4Indexed } from './ipv4-country-index.js';

export interface AllowedCountries {
  /** The data the set was compiled for: decide() uses it only with that data. */
  readonly data: CountryTable;
  /**
   * The scope's decision by the data's owner + 1: `none` at 0 (no country),
   * then each country's, allowed or not. One read answers both "allowed?"
   * and which frozen decision, with no branch on the answer.
   */
  readonly byOwner: readonly Decision[];
  /**
   * One bit per IPv4 /20 (ipv4Slash20sOwned), set where the scope's list can
   * allow an address of it: an IPv4 source in a /20 with its bit clear is
   * decided by its country alone, the list's search skipped. Absent when the
   * list has DNS names: what they resolve to can be anywhere, and changes
   * without a compile.
   */
  readonly listed: Uint32Array | undefined;
}

/**
 * The set `codes` (upper case) against `data`, beside the list's `listed`
 * /20s; codes the data does not know allow nothing.
 */
export function allowedCountriesOf(codes: ReadonlySet<string>, data: CountryTable, none: Decision, listed: Uint32Array | undefined): AllowedCountries {
  return { data, byOwner: [none, ...data.codes.map((code) => countryDecision(codes.has(code), code))], listed };
}

/** decideByCountry() of an IPv4 address (unsigned 32-bit). */
export function decideIpv4ByCountry(set: AllowedCountries, address: number): Decision {
  return set.byOwner[ownerOfIpv4Indexed(set.data.ipv4Index, set.data.ipv4, address) + 1]!;
}

/** The decision by the country of the parsed address (`none` when the data places it nowhere). */
export function decideByCountry(set: AllowedCountries, family: Family, words: Uint32Array): Decision {
  return set.byOwner[set.data.ownerAt(family, words) + 1]!;
}

/** Frozen decisions by country (at most a few hundred of each), shared by every data and scope. */
const COUNTRY_ALLOWED = new Map<string, Decision>();
const COUNTRY_NO_MATCH = new Map<string, Decision>();

export function countryDecision(allow: boolean, country: string): Decision {
  const cache = allow ? COUNTRY_ALLOWED : COUNTRY_NO_MATCH;
  let decision = cache.get(country);
  if (decision === undefined) {
    decision = Object.freeze({ allow, reason: allow ? 'country-allowed' : 'no-match', country });
    cache.set(country, decision);
  }
  return decision;
}
