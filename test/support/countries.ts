/**
 * A country database for tests, from a few ranges: addresses whose country a
 * test chooses, loopback and documentation ranges included, so no test
 * depends on where the shipped data places an address.
 */
import { CountryTable, parseAddress } from '../../src/policy/index.js';

/** [first, last, code] ranges, IPv4 and IPv6 (each family in ascending order). */
export function testCountries(ranges: readonly (readonly [string, string, string])[]): CountryTable {
  return CountryTable.build('test', (v4, v6) => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    for (const [from, to, code] of ranges) {
      const family = parseAddress(from, a);
      if (family === 0 || parseAddress(to, b) !== family) throw new Error(`bad test range ${from}-${to}`);
      (family === 4 ? v4 : v6).add(a, 0, b, 0, code);
    }
  });
}

/** 198.51.100.0/24 DE, 203.0.113.0/24 FR, 2001:db8::/32 JP. */
export const TEST_COUNTRIES = testCountries([
  ['198.51.100.0', '198.51.100.255', 'DE'],
  ['203.0.113.0', '203.0.113.255', 'FR'],
  ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'JP'],
]);
