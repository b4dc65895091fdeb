/**
 * The country of an address written as text, for `check`: shown whether or
 * not the scope's country set is on, so an admin sees what switching it on
 * would do.
 */
import type { CountryLookup } from '../policy/index.js';
import { ADDRESS_WORDS, parseAddress } from '../policy/ip-address.js';

const words = new Uint32Array(ADDRESS_WORDS);

export function countryOfAddress(countries: CountryLookup, address: string): string | undefined {
  const family = parseAddress(address, words);
  return family === 0 ? undefined : countries.countryAt(family, words);
}
