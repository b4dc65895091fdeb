import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { type CountryResponse, Reader } from 'mmdb-lib';
import { describe, expect, it } from 'vitest';
import { loadCountryData, readMmdbCountries, loadShippedCountries, shippedDataVersion } from '../../src/geo/index.js';
import { buildRangeTableOfRanges, ownerOfIpv4 } from '../../src/policy/range-table.js';
import { compileScopePolicy, decide, parseAddress } from '../../src/policy/index.js';
import { loadConfig } from '../../src/config/index.js';
import { countryMmdb } from '../support/mmdb-file.js';

const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
const table = loadShippedCountries();
const words = new Uint32Array(4);
const countryOf = (address: string): string | undefined => {
  const family = parseAddress(address, words);
  if (family === 0) throw new Error(address);
  return table.countryAt(family, words);
};
const rows = (file: string): string[][] => readFileSync(join(dir, file), 'latin1').trim().split('\n').map((l) => l.split(','));

describe('the shipped country data', () => {
  it('names the package and its data version', () => {
    expect(table.source).toBe(`@ip-location-db/geo-whois-asn-country@${shippedDataVersion()}`);
  });

  it('answers the rows of the data: a range later in the file owns its addresses over an earlier one', () => {
    const v4 = rows('geo-whois-asn-country-ipv4.csv');
    // A row's first address is in its country unless a later row starting there overrides it.
    const later = new Map<string, string>();
    for (const [start, , cc] of v4) later.set(start!, cc!);
    for (const i of [0, 1, 2, 759, 760, 761, Math.floor(v4.length / 2), v4.length - 1]) {
      const [start] = v4[i]!;
      expect(countryOf(start!), `${start}`).toBe(later.get(start!));
    }
    const [first] = v4[0]!;
    expect(countryOf(first!)).toBeDefined();
    const v6 = rows('geo-whois-asn-country-ipv6.csv');
    for (const i of [0, 1, Math.floor(v6.length / 2), v6.length - 1]) {
      const [start, end, cc] = v6[i]!;
      expect(countryOf(start!), start).toBe(cc);
      expect(countryOf(end!), end).toBe(cc);
    }
  });

  it('has no country for private and loopback addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '::1']) expect(countryOf(a), a).toBeUndefined();
  });
});

describe('ranges into a range table', () => {
  const v4 = (...rs: [number, number, number][]): ReturnType<typeof buildRangeTableOfRanges> =>
    buildRangeTableOfRanges(1, rs.length, Uint32Array.from(rs.map((r) => r[0])), Uint32Array.from(rs.map((r) => r[1])), Int32Array.from(rs.map((r) => r[2])));

  it('keeps gaps, nests and lets a later crossing range win', () => {
    const t = v4([10, 20, 0], [15, 15, 1], [18, 30, 2], [40, 40, 3]);
    const owners = [9, 10, 14, 15, 16, 17, 18, 20, 30, 31, 39, 40, 41].map((a) => ownerOfIpv4(t, a));
    expect(owners).toEqual([-1, 0, 0, 1, 0, 0, 2, 2, 2, -1, -1, 3, -1]);
  });

  it('refuses unsorted and reversed ranges', () => {
    expect(() => v4([10, 20, 0], [5, 6, 1])).toThrow(/starts before/);
    expect(() => v4([10, 5, 0])).toThrow(/ends before/);
  });

  it('runs to the last address', () => {
    const t = v4([0xffffff00, 0xffffffff, 4]);
    expect(ownerOfIpv4(t, 0xffffffff)).toBe(4);
    expect(ownerOfIpv4(t, 0xfffffeff)).toBe(-1);
  });
});

describe('SIPWARDEN_GEOIP_DB', () => {
  it('is read from the environment', () => {
    const result = loadConfig({ DRACHTIO_SECRET: 's', SIP_UPSTREAM: 'sip:pbx', SIPWARDEN_GEOIP_DB: '/data/GeoLite2-Country.mmdb' });
    expect(result.ok && result.config.geoipDb).toBe('/data/GeoLite2-Country.mmdb');
  });

  it('refuses a file that is not an .mmdb, naming it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'geoip-')), 'corrupt.mmdb');
    writeFileSync(path, 'not a database');
    expect(() => readMmdbCountries(path)).toThrow(`SIPWARDEN_GEOIP_DB ${path}: not a readable .mmdb`);
    expect(() => loadCountryData(join(path, 'missing'))).toThrow(/SIPWARDEN_GEOIP_DB/);
  });
});

describe('a user .mmdb', () => {
  it('gives the country of the addresses it covers, IPv4 and IPv6, and names its file and build date', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'geoip-')), 'countries.mmdb');
    writeFileSync(path, countryMmdb([['127.0.0.2/32', 'DE'], ['198.51.100.0/24', 'fr'], ['2001:db8::/32', 'JP']]));
    const mmdb = readMmdbCountries(path);
    const at = (address: string) => {
      const family = parseAddress(address, words);
      return family === 0 ? undefined : mmdb.countryAt(family, words);
    };
    expect([at('127.0.0.2'), at('127.0.0.1'), at('198.51.100.7'), at('2001:db8::5'), at('2001:db9::1')]).toEqual(['DE', undefined, 'FR', 'JP', undefined]);
    expect(mmdb.source).toBe(`${path} (sipwarden-test-Country, built 2026-01-01)`);
    expect(loadCountryData(path).source).toBe(mmdb.source);
  });

  it("decides the seed's example through it: a loopback address the test database puts in country B", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'geoip-')), 'countries.mmdb');
    writeFileSync(path, countryMmdb([['127.0.0.2/32', 'DE'], ['127.0.0.3/32', 'FR']]));
    const compiled = compileScopePolicy({ scope: 'sip', enabled: true, list: '127.0.0.4', countries: { enabled: true, codes: 'DE' } });
    if (!compiled.ok) throw new Error(compiled.message);
    const mmdb = readMmdbCountries(path);
    expect(decide(compiled.policy, '127.0.0.2', undefined, mmdb)).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    expect(decide(compiled.policy, '127.0.0.3', undefined, mmdb)).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    expect(decide(compiled.policy, '127.0.0.4', undefined, mmdb).reason).toBe('matched');
  });

  it('is walked into a table that answers as mmdb-lib does per address, IPv4 and IPv6', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geoip-'));
    const address = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffff })).map(([v4, n]) => (v4 ? `10.0.${n >> 8}.${n & 0xff}` : `2001:db8::${n.toString(16)}`));
    const network = fc.tuple(address, fc.integer({ min: 0, max: 14 }), fc.constantFrom('DE', 'fr', 'JP', 'XX')).map(([a, host, code]) => [`${a}/${(a.includes(':') ? 128 : 32) - host}`, code] as const);
    fc.assert(
      fc.property(fc.array(network, { minLength: 1, maxLength: 8 }), fc.array(address, { maxLength: 30 }), (networks, sources) => {
        const path = join(dir, 'walk.mmdb');
        const bytes = countryMmdb(networks);
        writeFileSync(path, bytes);
        const reader = new Reader<CountryResponse>(bytes);
        const codeAt = (source: string) => reader.get(source)?.country?.iso_code?.toUpperCase();
        let walked: ReturnType<typeof readMmdbCountries>;
        try {
          walked = readMmdbCountries(path);
        } catch (err) {
          // Refused only when no record (overlaps left) has a country code.
          expect((err as Error).message).toMatch(/no address in it has a country/);
          for (const source of sources) expect([undefined, 'XX']).toContain(codeAt(source));
          return;
        }
        for (const source of sources) {
          const family = parseAddress(source, words);
          if (family === 0) throw new Error(source);
          const code = codeAt(source);
          expect(walked.countryAt(family, words), source).toBe(code === 'XX' ? undefined : code);
        }
      }),
      { numRuns: 200 },
    );
  });
});
