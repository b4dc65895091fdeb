/**
 * A scope's list and its allowed countries compiled into one range table per
 * family (issue 12), so a source either allows costs one search: owners below
 * `base` are list slots, `base + i` is the country `data.codes[i]`. List
 * entries own their addresses over a country, as the list is decided first.
 * See country.ts for why this design and what it costs.
 */
import type { CidrMatcher } from './cidr-matcher.js';
import type { CountrySetTables, CountryTable } from './country.js';
import type { Family } from './ip-address.js';
import { COUNTRY_INTERVALS_PER_BUCKET, type RangeTable, overlayRangeTables } from './range-table.js';

export interface ScopeCountryTables {
  /** The data these tables were compiled from: decide() uses them only with that data. */
  readonly data: CountryTable;
  readonly base: number;
  readonly ipv4: RangeTable;
  readonly ipv6: RangeTable;
  /** The shared set tables, held so other scopes with the same set find them (CountryTable.tablesOf). */
  readonly set: CountrySetTables;
}

/** The tables of `codes` in `data`, under the list `matcher` when it decides (else the shared set tables themselves). */
export function mergeCountries(matcher: CidrMatcher | undefined, codes: ReadonlySet<string>, data: CountryTable): ScopeCountryTables {
  const set = data.tablesOf(codes);
  if (matcher === undefined || matcher.list.length === 0) return { data, base: 0, ipv4: set.ipv4, ipv6: set.ipv6, set };
  const base = matcher.list.length;
  const over = (family: Family, countries: RangeTable): RangeTable =>
    overlayRangeTables(matcher.table(family), countries, (slot, country) => (slot >= 0 ? slot : country >= 0 ? base + country : -1), COUNTRY_INTERVALS_PER_BUCKET);
  return { data, base, ipv4: over(4, set.ipv4), ipv6: over(6, set.ipv6), set };
}
