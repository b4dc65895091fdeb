/**
 * A policy compiled with country data (the data's IPv4 index, the set's
 * membership per country) decides exactly as the plain path does: the list,
 * then its names, then the country found by a search of the data's range
 * tables. Random lists, names, country data (ranges smaller than a /24 and
 * ranges straddling /16s), sets and sources, IPv4 and IPv6, drawn from small
 * address universes so they overlap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadShippedCountries } from '../../src/geo/index.js';
import { type CountryLookup, type CountryTable, type Family, NameTable, type ScopePolicy, compileScopePolicy, decide, withCountryData } from '../../src/policy/index.js';
import { ownerOfIpv4, ownerOfIpv6 } from '../../src/policy/range-table.js';
import { testCountries } from '../support/countries.js';

const CODES = ['BR', 'DE', 'FR', 'JP', 'US'] as const;
/** Four /16s of IPv4 (10.0.0.0-10.3.255.255), as many addresses of IPv6. */
const UNIVERSE = 0x3ffff;

const at = (v4: boolean, n: number): string => (v4 ? `10.${n >>> 16}.${(n >>> 8) & 0xff}.${n & 0xff}` : `2001:db8::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`);
const point = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: UNIVERSE }));
const address = point.map(([v4, n]) => at(v4, n));
const block = fc.tuple(address, fc.integer({ min: 0, max: 18 })).map(([a, hostBits]) => `${a}/${(a.includes(':') ? 128 : 32) - hostBits}`);
const NAME = 'agent.example.net';

interface Range {
  readonly v4: boolean;
  readonly start: number;
  readonly end: number;
  readonly code: string;
}

/** Short ranges (inside a /24, or a few /24s) and long ones (across /16s). */
const range = fc
  .tuple(point, fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0x30000 })), fc.constantFrom(...CODES))
  .map(([[v4, start], length, code]): Range => ({ v4, start, end: Math.min(UNIVERSE, start + length), code }));

const countryData = fc.array(range, { maxLength: 16 }).map((ranges) => {
  const sorted = [...ranges].sort((a, b) => Number(b.v4) - Number(a.v4) || a.start - b.start);
  return { ranges: sorted, data: testCountries(sorted.map((r) => [at(r.v4, r.start), at(r.v4, r.end), r.code] as const)) };
});

/** The range tables searched, as before the index: what the index must agree with. */
function searched(data: CountryTable): CountryLookup {
  return {
    countryAt(family: Family, words: Uint32Array) {
      const owner = family === 4 ? ownerOfIpv4(data.ipv4, words[0]!) : ownerOfIpv6(data.ipv6, words);
      return owner < 0 ? undefined : data.codes[owner];
    },
  };
}

/** Sources at and beside every range's ends, where an index entry would go wrong first. */
function edges(ranges: readonly Range[]): string[] {
  return ranges.flatMap((r) => [r.start - 1, r.start, r.end, r.end + 1].filter((n) => n >= 0 && n <= UNIVERSE).map((n) => at(r.v4, n)));
}

const scope = fc.record({
  enabled: fc.boolean(),
  entries: fc.array(fc.oneof({ weight: 6, arbitrary: block }, { weight: 1, arbitrary: fc.constant(NAME) }), { maxLength: 10 }),
  countriesEnabled: fc.boolean(),
  codes: fc.subarray([...CODES]),
  nameAddresses: fc.array(address, { maxLength: 3 }),
});

type ScopeInput = typeof scope extends fc.Arbitrary<infer T> ? T : never;

function compiled(input: ScopeInput, data?: CountryTable): ScopePolicy {
  const result = compileScopePolicy(
    { scope: 'sip', enabled: input.enabled, list: input.entries.join(','), countries: { enabled: input.countriesEnabled, codes: input.codes.join(',') } },
    data,
  );
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

describe('deciding through the country index', () => {
  it('decides every source as the list, its names and a search of the country data do', () => {
    fc.assert(
      fc.property(scope, countryData, fc.array(address, { minLength: 1, maxLength: 40 }), (input, { ranges, data }, sources) => {
        const names = new NameTable();
        names.set(NAME, input.nameAddresses);
        const fast = compiled(input, data);
        const plain = compiled(input);
        expect(fast.allowedCountries !== undefined).toBe(input.countriesEnabled);
        expect(plain.allowedCountries).toBeUndefined();
        for (const source of [...sources, ...edges(ranges), ...input.nameAddresses]) {
          expect(decide(fast, source, names, data), source).toEqual(decide(plain, source, names, searched(data)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('decides through other data as the plain path does, and follows it once compiled for it (a reload)', () => {
    fc.assert(
      fc.property(scope, countryData, countryData, fc.array(address, { minLength: 1, maxLength: 20 }), (input, before, after, sources) => {
        const stale = compiled(input, before.data);
        const plain = compiled(input);
        const reloaded = withCountryData(stale, after.data);
        expect(reloaded.allowedCountries?.data).toBe(input.countriesEnabled ? after.data : undefined);
        for (const source of [...sources, ...edges(after.ranges)]) {
          const expected = decide(plain, source, undefined, searched(after.data));
          expect(decide(stale, source, undefined, after.data), source).toEqual(expected);
          expect(decide(reloaded, source, undefined, after.data), source).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names the country of every address of the shipped data as its search does', () => {
    const data = loadShippedCountries();
    const search = searched(data);
    const words = new Uint32Array(4);
    const { count, cells } = data.ipv4;
    for (let i = 0; i < count; i++) {
      const start = cells[i * 2]!;
      const next = i + 1 < count ? cells[(i + 1) * 2]! : 2 ** 32;
      for (const a of [start - 1, start, start + Math.floor(Math.random() * (next - start))]) {
        if (a < 0) continue;
        words[0] = a;
        if (data.countryAt(4, words) !== search.countryAt(4, words)) expect.fail(`${a}: ${data.countryAt(4, words)} against ${search.countryAt(4, words)}`);
      }
    }
  });

  it('searches the blocks past the node numbers an entry holds, and still names their countries', () => {
    // 33,000 /16s each split by one address need 66,000 nodes (a /16's and a /20's): more than there are.
    const rows = Array.from({ length: 33_000 }, (_, p) => [`${p >>> 8}.${p & 0xff}.0.128`, `${p >>> 8}.${p & 0xff}.0.128`, p % 2 === 0 ? 'DE' : 'FR'] as const);
    const data = testCountries(rows);
    expect(data.ipv4Index.nodes.length).toBe(0x10000 * 16);
    const search = searched(data);
    const words = new Uint32Array(4);
    for (let p = 0; p <= 33_001; p += p % 1000 === 0 ? 1 : 97) {
      for (const low of [0, 127, 128, 129, 255, 256, 0x1000, 0xffff]) {
        words[0] = p * 0x10000 + low;
        expect(data.countryAt(4, words), `${p}/${low}`).toBe(search.countryAt(4, words));
      }
    }
  });

  it('holds a decision per country of the data, and keeps them when compiled again for the same data', () => {
    const data = testCountries([['10.0.0.0', '10.0.0.255', 'DE'], ['10.0.1.0', '10.0.1.255', 'FR'], ['10.0.2.0', '10.0.2.255', 'JP']]);
    const a = compileScopePolicy({ scope: 'sip', enabled: true, list: '10.0.0.7', countries: { enabled: true, codes: 'fr,us' } }, data);
    if (!a.ok) throw new Error('compile');
    expect(a.policy.allowedCountries!.byOwner.map((d) => [d.reason, d.country])).toEqual([
      ['no-match', undefined],
      ['no-match', 'DE'],
      ['country-allowed', 'FR'],
      ['no-match', 'JP'],
    ]);
    expect(withCountryData(a.policy, data)).toBe(a.policy);
  });
});
