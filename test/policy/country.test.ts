import { describe, expect, it } from 'vitest';
import { NO_COUNTRY_DATA, type ScopePolicy, type ScopePolicyInput, compileScopePolicy, decide, parseCountrySet } from '../../src/policy/index.js';
import { TEST_COUNTRIES } from '../support/countries.js';

const countries = TEST_COUNTRIES;

function policy(input: ScopePolicyInput): ScopePolicy {
  const result = compileScopePolicy(input);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

describe('parseCountrySet', () => {
  it('accepts lower case and blanks, normalising to sorted upper case without duplicates', () => {
    expect(parseCountrySet(' fr, DE ,de,Jp')).toEqual({ ok: true, codes: ['DE', 'FR', 'JP'] });
    expect(parseCountrySet('')).toEqual({ ok: true, codes: [] });
    expect(parseCountrySet('XK')).toEqual({ ok: true, codes: ['XK'] });
  });

  it('refuses unknown codes and empty items, naming every bad one', () => {
    const result = parseCountrySet('DE,XX,deu,EU,,fr,');
    expect(result).toEqual({
      ok: false,
      bad: ['XX', 'deu', 'EU', '(empty)', '(empty)'],
      message: 'not ISO 3166-1 alpha-2 country codes: "XX", "deu", "EU", an empty item, an empty item',
    });
    expect(parseCountrySet('de,')).toMatchObject({ ok: false, bad: ['(empty)'] });
  });

  it('makes a policy with a bad set fail to compile, with the bad codes', () => {
    const result = compileScopePolicy({ scope: 'sip', enabled: true, list: '', countries: { enabled: true, codes: 'DE,XX' } });
    expect(result).toMatchObject({ ok: false, badCountries: ['XX'], message: expect.stringContaining('"XX"') });
  });
});

describe('decide with countries', () => {
  it("allows the seed's example: agents' addresses listed in country A, all of country B", () => {
    // Country A = FR: only the agent at 203.0.113.7 is listed. Country B = DE: all of it.
    const p = policy({ scope: 'sip', enabled: true, list: '203.0.113.7', countries: { enabled: true, codes: 'de' } });
    expect(decide(p, '203.0.113.7', undefined, countries)).toEqual({ allow: true, reason: 'matched', entry: { value: '203.0.113.7' } });
    expect(decide(p, '198.51.100.20', undefined, countries)).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    expect(decide(p, '203.0.113.8', undefined, countries)).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    expect(decide(p, '192.0.2.1', undefined, countries)).toEqual({ allow: false, reason: 'no-match' });
  });

  it('decides by countries alone when the list is off, and over IPv6', () => {
    const p = policy({ scope: 'webrtc', enabled: false, list: '203.0.113.0/24', countries: { enabled: true, codes: 'JP' } });
    expect(decide(p, '2001:db8::1', undefined, countries)).toEqual({ allow: true, reason: 'country-allowed', country: 'JP' });
    expect(decide(p, '203.0.113.1', undefined, countries)).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
  });

  it('leaves the scope open when neither is on, and ignores a set that is off', () => {
    const open = policy({ scope: 'sip', enabled: false, list: '', countries: { enabled: false, codes: 'DE' } });
    expect(decide(open, '203.0.113.1', undefined, countries)).toEqual({ allow: true, reason: 'scope-disabled' });
    const listOnly = policy({ scope: 'sip', enabled: true, list: '192.0.2.0/24', countries: { enabled: false, codes: 'DE' } });
    expect(decide(listOnly, '198.51.100.1', undefined, countries)).toEqual({ allow: false, reason: 'no-match' });
  });

  it('allows nothing by country with an empty set switched on', () => {
    const p = policy({ scope: 'sip', enabled: false, list: '', countries: { enabled: true, codes: '' } });
    expect(decide(p, '198.51.100.1', undefined, countries)).toEqual({ allow: false, reason: 'no-match', country: 'DE' });
  });

  it('lets an enabled empty list allow nothing beside enabled countries, even for recordings', () => {
    const p = policy({ scope: 'recordings', enabled: true, list: '', countries: { enabled: true, codes: 'DE' } });
    expect(decide(p, '203.0.113.1', undefined, countries)).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    expect(decide(p, '198.51.100.1', undefined, countries).reason).toBe('country-allowed');
  });

  it('denies by country when no country data is known, and still refuses a bad source', () => {
    const p = policy({ scope: 'sip', enabled: false, list: '', countries: { enabled: true, codes: 'DE' } });
    expect(decide(p, '198.51.100.1', undefined, NO_COUNTRY_DATA)).toEqual({ allow: false, reason: 'no-match' });
    expect(decide(p, 'nonsense', undefined, countries)).toEqual({ allow: false, reason: 'bad-source-address' });
  });
});
