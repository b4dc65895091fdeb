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
import { type Ipv4CountryIndex, ipv4Leaf } from './ipv4-country-index.js';

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
   * The data's IPv4 index, held here too: its leaves are byOwner's indexes,
   * so an IPv4 source's decision is one hop and four reads from the set
   * (each hop a dependent load: bench:country).
   */
  readonly ipv4Index: Ipv4CountryIndex;
}

/** The set `codes` (upper case) against `data`; codes the data does not know allow nothing. */
export function allowedCountriesOf(codes: ReadonlySet<string>, data: CountryTable, none: Decision): AllowedCountries {
  return { data, byOwner: [none, ...data.codes.map((code) => countryDecision(codes.has(code), code))], ipv4Index: data.ipv4Index };
}

/** The decision by the country of the parsed address (`none` when the data places it nowhere). */
export function decideByCountry(set: AllowedCountries, family: Family, words: Uint32Array): Decision {
  if (family === 4) {
    const leaf = ipv4Leaf(set.ipv4Index, words[0]!);
    if (leaf !== set.ipv4Index.search) return set.byOwner[leaf]!;
  }
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
