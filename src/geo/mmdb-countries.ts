/**
 * A user's own country database (SIPWARDEN_GEOIP_DB): a MaxMind GeoLite2 /
 * GeoIP2 Country or City, or a DB-IP Country (lite) .mmdb, read with
 * mmdb-lib. The whole file is read into memory once; each lookup formats the
 * address and walks the tree (not yet measured on a full GeoLite2 file; a
 * tree walk of up to 128 steps is slower than the shipped data's range
 * table).
 * Reloading on change is a matter of building a new MmdbCountries and
 * swapping the lookup the edge holds (one reference assignment, so no
 * decision is dropped); a file that fails to open keeps the old one.
 */
import { readFileSync } from 'node:fs';
import { type CountryResponse, Reader } from 'mmdb-lib';
import { type CountryLookup, COUNTRY_CODES, type Family, formatAddress } from '../policy/index.js';

type CountryRecord = CountryResponse;

export class MmdbCountries implements CountryLookup {
  private constructor(
    private readonly reader: Reader<CountryRecord>,
    readonly source: string,
  ) {}

  /** Opens `path`; throws with the path named when it is not a readable country .mmdb. */
  static open(path: string): MmdbCountries {
    let reader: Reader<CountryRecord>;
    try {
      reader = new Reader<CountryRecord>(readFileSync(path));
    } catch (err) {
      throw new Error(`SIPWARDEN_GEOIP_DB ${path}: not a readable .mmdb: ${(err as Error).message}`);
    }
    const { databaseType, buildEpoch } = reader.metadata;
    return new MmdbCountries(reader, `${path} (${databaseType}, built ${buildEpoch.toISOString().slice(0, 10)})`);
  }

  countryAt(family: Family, words: Uint32Array): string | undefined {
    const record = this.reader.get(formatAddress(family, words, 0));
    const code = record?.country?.iso_code ?? record?.registered_country?.iso_code;
    if (code === undefined) return undefined;
    const upper = code.toUpperCase();
    return COUNTRY_CODES.has(upper) ? upper : undefined;
  }
}
