/**
 * Country allowlists: the set of ISO 3166-1 alpha-2 codes a scope allows, and
 * the table that says which country an address is in.
 *
 * Speed (issue 12 asks 0.9 of the list-alone rate): chosen, the allowed
 * countries expanded into the list's own range table (country-merge.ts), so
 * a source the list or a country allows costs one search, the entry or the
 * country named by the interval's owner. A denied source's country, which
 * `no-match` carries, is looked up after that in the data's own table: the
 * merged table holds only the allowed countries, so its size follows the set
 * (a few KB for one small country, 3.35 MiB for the five largest), where one
 * also holding every other country would cost the whole data (8.5 MiB) per
 * scope. The set's ranges are filtered out of the data once and shared by
 * every scope with that set (CountryTable.tablesOf); a scope without a list
 * decides through them directly. Country tables' radix index aims at eight
 * intervals a bucket, one cache line of IPv4 cells, so it stays in L2.
 *
 * Measured (bench/country.ts, `npm run bench:country`: a 10,000-entry list,
 * RU,CA,US,CN,BR, random IPv4 sources, Node 20, on 2 cores shared with other
 * builds and tests, so rates swing 2x between runs; three runs): the list
 * alone decides 10.1-10.7 M/s, with the five countries 4.9-6.3 M/s, a ratio
 * of 0.50-0.63 (0.50-0.68 over the day's runs), short of 0.9; the unmerged
 * path measured 0.30-0.44 beside it. What is left is the cache: the list
 * alone searches a 0.3 MiB table that stays in L2, the merged one 3.35 MiB,
 * and a denied source (44% of random IPv4 here) a second, 8.4 MiB table. A
 * merged table holding every country, so every source costs one search,
 * measured no better (0.58-0.65 in the same runs) for 8.5 MiB per scope
 * whatever its set: not chosen. Compiling the five countries into a scope
 * takes 39-53 ms for the first scope with that set (filtering the set,
 * 3.14 MiB shared), then 15-24 ms against 7-19 ms for the list alone.
 *
 * A policy compiled without data, or decided with other data than it was
 * compiled with (a reload in progress), decides the unmerged way with the
 * same answer: the list, then its names, then one more search for the
 * country.
 *
 * A user's .mmdb (SIPWARDEN_GEOIP_DB) is walked once at load into the same
 * CountryTable (src/geo/mmdb-countries.ts), so it merges and decides as fast
 * as the shipped data, instead of a tree walk through mmdb-lib per lookup.
 */
import { COUNTRY_INTERVALS_PER_BUCKET, type RangeTable, buildRangeTableOfRanges, emptyRangeTable, overlayRangeTables, ownerOfIpv4, ownerOfIpv6 } from './range-table.js';
import type { Family } from './ip-address.js';

/**
 * The officially assigned ISO 3166-1 alpha-2 codes (249), plus XK (Kosovo,
 * user-assigned but used by RIR data, MaxMind and DB-IP).
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK'
  ).split(' '),
);

/** A scope's country set, compiled: upper-case codes, sorted. */
export interface CountrySet {
  readonly enabled: boolean;
  readonly codes: ReadonlySet<string>;
}

export const NO_COUNTRIES: CountrySet = Object.freeze({ enabled: false, codes: new Set<string>() });

export type CountrySetResult =
  | { readonly ok: true; readonly codes: readonly string[] }
  | { readonly ok: false; readonly bad: readonly string[]; readonly message: string };

/**
 * Parses a comma-separated set of country codes (`DE,FR`). Lower case is
 * accepted and normalised to upper case; blanks around codes are ignored; an
 * empty string is the empty set. An empty item (`DE,` or `DE,,FR`) and any
 * code that is not ISO 3166-1 alpha-2 (`XX`, `DEU`, `EU`) are refused, every
 * bad one named. Duplicates are folded; the result is sorted.
 */
export function parseCountrySet(text: string): CountrySetResult {
  if (text.trim() === '') return { ok: true, codes: [] };
  const codes = new Set<string>();
  const bad: string[] = [];
  for (const item of text.split(',')) {
    const code = item.trim().toUpperCase();
    if (COUNTRY_CODES.has(code)) codes.add(code);
    else bad.push(item.trim() === '' ? '(empty)' : item.trim());
  }
  if (bad.length > 0) {
    const named = bad.map((b) => (b === '(empty)' ? 'an empty item' : JSON.stringify(b))).join(', ');
    return { ok: false, bad, message: `not ISO 3166-1 alpha-2 country codes: ${named}` };
  }
  return { ok: true, codes: [...codes].sort() };
}

/** Which country an address is in. */
export interface CountryLookup {
  /** The upper-case code of the parsed address (family 4: words[0]; 6: words[0..3]), or undefined when unknown. */
  countryAt(family: Family, words: Uint32Array): string | undefined;
}

export const NO_COUNTRY_DATA: CountryLookup = Object.freeze({ countryAt: () => undefined });

/** Address ranges with their country, one family, as a loader collects them. */
export class CountryRanges {
  count = 0;
  private starts: Uint32Array;
  private ends: Uint32Array;
  private owners: Int32Array;

  constructor(
    readonly width: 1 | 4,
    private readonly codeIndex: Map<string, number>,
    private readonly codes: string[],
    capacity = 1024,
  ) {
    this.starts = new Uint32Array(capacity * width);
    this.ends = new Uint32Array(capacity * width);
    this.owners = new Int32Array(capacity);
  }

  /** Adds a range (start and end: width words from `at`), ranges in ascending order. */
  add(start: Uint32Array, startAt: number, end: Uint32Array, endAt: number, code: string): void {
    if (this.count === this.owners.length) this.grow();
    let owner = this.codeIndex.get(code);
    if (owner === undefined) {
      owner = this.codes.length;
      this.codes.push(code);
      this.codeIndex.set(code, owner);
    }
    const at = this.count * this.width;
    for (let w = 0; w < this.width; w++) {
      this.starts[at + w] = start[startAt + w]!;
      this.ends[at + w] = end[endAt + w]!;
    }
    this.owners[this.count++] = owner;
  }

  table(): RangeTable {
    return buildRangeTableOfRanges(this.width, this.count, this.starts, this.ends, this.owners, COUNTRY_INTERVALS_PER_BUCKET);
  }

  private grow(): void {
    const grown = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts);
    this.ends = grown(this.ends);
    const owners = new Int32Array(this.owners.length * 2);
    owners.set(this.owners);
    this.owners = owners;
  }
}

/** The ranges of one set of countries, a table per family (owner = index into CountryTable.codes). */
export interface CountrySetTables {
  readonly ipv4: RangeTable;
  readonly ipv6: RangeTable;
}

/** A country database compiled into two range tables (owner = index into codes). */
export class CountryTable implements CountryLookup {
  /** Set tables by their sorted codes, held weakly: they live as long as a scope's policy holds them. */
  private readonly sets = new Map<string, WeakRef<CountrySetTables>>();

  private constructor(
    readonly codes: readonly string[],
    readonly ipv4: RangeTable,
    readonly ipv6: RangeTable,
    /** Where the data came from and how old it is, for logs and `check`. */
    readonly source: string,
  ) {}

  /** Collects ranges with `fill(ipv4, ipv6)`, then compiles them. */
  static build(source: string, fill: (ipv4: CountryRanges, ipv6: CountryRanges) => void): CountryTable {
    const index = new Map<string, number>();
    const codes: string[] = [];
    const v4 = new CountryRanges(1, index, codes);
    const v6 = new CountryRanges(4, index, codes);
    fill(v4, v6);
    return new CountryTable(codes, v4.table(), v6.table(), source);
  }

  countryAt(family: Family, words: Uint32Array): string | undefined {
    const owner = this.ownerAt(family, words);
    return owner < 0 ? undefined : this.codes[owner];
  }

  /** The index into codes of the address's country, or -1. */
  ownerAt(family: Family, words: Uint32Array): number {
    return family === 4 ? ownerOfIpv4(this.ipv4, words[0]!) : ownerOfIpv6(this.ipv6, words);
  }

  /**
   * The ranges of the countries in `codes` alone. Filtering walks the whole
   * data (~40 ms for the shipped data), so scopes allowing the same set share
   * one copy, built again only once no policy holds it.
   */
  tablesOf(codes: ReadonlySet<string>): CountrySetTables {
    const key = [...codes].sort().join(',');
    const held = this.sets.get(key)?.deref();
    if (held !== undefined) return held;
    const allowed = new Uint8Array(this.codes.length);
    for (const code of codes) {
      const owner = this.codes.indexOf(code);
      if (owner >= 0) allowed[owner] = 1;
    }
    const keep = (_: number, owner: number): number => (owner >= 0 && allowed[owner] === 1 ? owner : -1);
    const filter = (table: RangeTable): RangeTable => overlayRangeTables(emptyRangeTable(table.width), table, keep, COUNTRY_INTERVALS_PER_BUCKET);
    const tables = { ipv4: filter(this.ipv4), ipv6: filter(this.ipv6) };
    for (const [k, ref] of this.sets) if (ref.deref() === undefined) this.sets.delete(k);
    this.sets.set(key, new WeakRef(tables));
    return tables;
  }
}
