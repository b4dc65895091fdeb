/**
 * Country data for the country allowlists: the shipped default, or the
 * user's .mmdb named by SIPWARDEN_GEOIP_DB.
 */
import type { CountryLookup } from '../policy/index.js';
import { MmdbCountries } from './mmdb-countries.js';
import { loadShippedCountries } from './shipped-countries.js';

export { MmdbCountries } from './mmdb-countries.js';
export { loadShippedCountries, shippedDataVersion } from './shipped-countries.js';

export interface CountryData {
  readonly lookup: CountryLookup;
  /** Where it came from and how old it is, for the start log and `check`. */
  readonly source: string;
}

/** The user's .mmdb when `geoipDb` is set (throws when it cannot be read), else the shipped data. */
export function loadCountryData(geoipDb?: string): CountryData {
  if (geoipDb !== undefined) {
    const mmdb = MmdbCountries.open(geoipDb);
    return { lookup: mmdb, source: mmdb.source };
  }
  const table = loadShippedCountries();
  return { lookup: table, source: table.source };
}
