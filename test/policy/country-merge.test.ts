/**
 * The merged table (a scope's list and allowed countries in one range table)
 * decides exactly as the unmerged path does: the list, then its names, then
 * the country lookup. Random lists, names, country data, sets and sources,
 * IPv4 and IPv6, drawn from small address universes so they overlap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountryTable, NameTable, type ScopePolicy, compileScopePolicy, decide, withCountryData } from '../../src/policy/index.js';
import { testCountries } from '../support/countries.js';

const CODES = ['BR', 'DE', 'FR', 'JP', 'US'] as const;

/** An address of a small universe: 10.0.0.0/20 or 2001:db8::/116. */
const address = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xfff })).map(([v4, n]) => (v4 ? `10.0.${n >> 8}.${n & 0xff}` : `2001:db8::${n.toString(16)}`));
const block = fc.tuple(address, fc.integer({ min: 0, max: 12 })).map(([a, hostBits]) => `${a}/${(a.includes(':') ? 128 : 32) - hostBits}`);
const NAME = 'agent.example.net';

const countryData = fc
  .array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 600 }), fc.constantFrom(...CODES)), { maxLength: 12 })
  .map((ranges): CountryTable => {
    const rows = ranges.map(([v4, start, length, code]) => {
      const end = Math.min(0xfff, start + length);
      const at = (n: number) => (v4 ? `10.0.${n >> 8}.${n & 0xff}` : `2001:db8::${n.toString(16)}`);
      return { v4, start, row: [at(start), at(end), code] as const };
    });
    rows.sort((a, b) => Number(b.v4) - Number(a.v4) || a.start - b.start);
    return testCountries(rows.map((r) => r.row));
  });

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

describe('the merged country table', () => {
  it('decides every source as the list, its names and the country lookup do', () => {
    fc.assert(
      fc.property(scope, countryData, fc.array(address, { minLength: 1, maxLength: 40 }), (input, data, sources) => {
        const names = new NameTable();
        names.set(NAME, input.nameAddresses);
        const merged = compiled(input, data);
        const plain = compiled(input);
        expect(merged.countryTables !== undefined).toBe(input.countriesEnabled);
        expect(plain.countryTables).toBeUndefined();
        for (const source of [...sources, ...input.nameAddresses]) {
          expect(decide(merged, source, names, data), source).toEqual(decide(plain, source, names, data));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('decides through other data as the unmerged path does, and follows it once compiled for it (a reload)', () => {
    fc.assert(
      fc.property(scope, countryData, countryData, fc.array(address, { minLength: 1, maxLength: 20 }), (input, before, after, sources) => {
        const stale = compiled(input, before);
        const plain = compiled(input);
        const reloaded = withCountryData(stale, after);
        for (const source of sources) {
          const expected = decide(plain, source, undefined, after);
          expect(decide(stale, source, undefined, after), source).toEqual(expected);
          expect(decide(reloaded, source, undefined, after), source).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('shares one set table between scopes allowing the same countries', () => {
    const data = testCountries([['10.0.0.0', '10.0.0.255', 'DE'], ['10.0.1.0', '10.0.1.255', 'FR']]);
    const a = compileScopePolicy({ scope: 'sip', enabled: true, list: '10.0.0.7', countries: { enabled: true, codes: 'fr,de' } }, data);
    const b = compileScopePolicy({ scope: 'webrtc', enabled: false, list: '', countries: { enabled: true, codes: 'DE,FR' } }, data);
    if (!a.ok || !b.ok) throw new Error('compile');
    expect(a.policy.countryTables!.set).toBe(b.policy.countryTables!.set);
    // A scope without a list decides through the set tables themselves.
    expect(b.policy.countryTables!.ipv4).toBe(b.policy.countryTables!.set.ipv4);
  });
});
