/**
 * Country data for the country allowlists: the shipped default, or the
 * user's .mmdb named by SIPWARDEN_GEOIP_DB.
 */
import type { CountryLookup } from '../policy/index.js';
import { readMmdbCountries } from './mmdb-countries.js';
import { loadShippedCountries } from './shipped-countries.js';

export { readMmdbCountries } from './mmdb-countries.js';
export { CountryDataWatcher, COUNTRY_DATA_RELOADS_METRIC, type CountryDataWatcherOptions } from './country-data-watcher.js';
export { loadShippedCountries, shippedDataVersion } from './shipped-countries.js';

export interface CountryData {
  readonly lookup: CountryLookup;
  /** Where it came from and how old it is, for the start log and `check`. */
  readonly source: string;
}

/** The user's .mmdb when `geoipDb` is set (throws when it cannot be read), else the shipped data. */
export function loadCountryData(geoipDb?: string): CountryData {
  const table = geoipDb !== undefined ? readMmdbCountries(geoipDb) : loadShippedCountries();
  return { lookup: table, source: table.source };
}
