/**
 * A scope's country set compiled against one country data (issue 12): the
 * scope's frozen decision for each country of the data, so once the data's
 * IPv4 index (or IPv6 search) has named the source's country, "is it
 * allowed?" is one array read, and deciding by country allocates nothing.
 * A pointer per country of the data per scope: nothing of the data is
 * copied into a scope (see country.ts for why).
 */
import type { CountryTable } from './country.js';
import type { Decision } from './decision.js';
import type { Family } from './ip-address.js';

export interface AllowedCountries {
  /** The data the set was compiled for: decide() uses it only with that data. */
  readonly data: CountryTable;
  /**
   * The scope's decision by the data's owner + 1: `none` at 0 (no country),
   * then each country's, allowed or not. One read answers both "allowed?"
   * and which frozen decision, with no branch on the answer.
   */
  readonly byOwner: readonly Decision[];
}

/** The set `codes` (upper case) against `data`; codes the data does not know allow nothing. */
export function allowedCountriesOf(codes: ReadonlySet<string>, data: CountryTable, none: Decision): AllowedCountries {
  return { data, byOwner: [none, ...data.codes.map((code) => countryDecision(codes.has(code), code))] };
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
