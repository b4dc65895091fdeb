/**
 * Country allowlists: the set of ISO 3166-1 alpha-2 codes a scope allows, and
 * the table that says which country an address is in.
 *
 * Speed (issue 12 asks 0.9 of the list-alone rate): chosen, the scope keeps
 * its list's own small table, and the country data carries a direct index of
 * its IPv4 owners (ipv4-country-index.ts), built once per data as it loads
 * and shared by every scope: three array reads with no branch on what they
 * read name the country, and a scope's set is its decision per country of
 * the data (country-allowance.ts), so "allowed?" is one more read. Beside
 * them the scope keeps a bit per IPv4 /20 its list holds an address of (128
 * KiB, when the list has no DNS names): a source in a /20 with its bit clear
 * (99% of random sources beside 10,000 random /24s) is decided by those
 * reads alone, the list's search skipped; any other source pays the reads
 * beside the list's search, taken first so they overlap it. `no-match`
 * still names its country, at no extra cost. IPv6 keeps the data's
 * range-table search: its space is too sparse for a direct index, and it is
 * not what the issue measures.
 *
 * Measured (bench/country.ts: a 10,000-entry list, RU,CA,US,CN,BR, random
 * IPv4 sources, Node 20, both policies decided through one call site as at
 * the edge, 2 cores, 2026-12-04): with the decision handed back, 1.19-1.22
 * of the list alone's rate (16.6-18.4 M/s alone) in every run; with the
 * caller branching on each answer, 0.94-1.01 in 19 processes of 25 and
 * 0.85-0.89 in 6, each keeping its figure for the whole run. Not the data:
 * one seeded data measured both, and with --predictable (no concurrent
 * compilation) 0.97 four times of four. Before
 * the /20 bits the same bench measured 0.85-0.89 and 0.79-0.82: every
 * source paid the list's search and the country's reads. The fast path
 * reads the index directly (decideIpv4ByCountry), not through ownerAt's
 * family dispatch: 1.10-1.16 and 0.89-0.96 before that. Over 1 is the
 * skipped search, not a free country: the list alone keeps no such bits
 * (they would skip its search too, for 128 KiB in every scope, where its
 * search is already a bucket read and a step or two). A byte per /16 naming the decision of the /16s one country holds
 * whole and the list not at all (64 KiB) measured 1.01 and 0.87: 30% of
 * random sources fall in a /16 it cannot decide, a branch the caller's
 * mispredicts beside its own.
 * What remains when branched on (experiments beside the bench, same loop):
 * - the same reads with an answer that does not depend on them: 0.99. What
 *   costs is that the answer does: 56% of random sources are allowed by the
 *   five countries, the list alone allows none, and every mispredicted
 *   branch on the answer throws away the next decisions' reads under way.
 * Not kept, each no change or worse in the bench: the set holding the index
 * itself with its leaves as the set's indexes (one dependent load fewer),
 * the trie's two levels in one array, one hidden class for every
 * `no-match`; exact per-scope verdicts (a /16 byte table, a /20 level for
 * the mixed ones: 440 KiB a scope) read after the list's search; the merged
 * per-scope range tables this replaced (3.35 MiB a scope, 0.50-0.64), a
 * 256-entry /24 block per mixed /16 (4.55 MiB, 0.80 against 0.83), and the
 * index that stopped at the first whole block (0.74-0.78 handed back
 * against this one's 0.81-0.82 in the same loop). The index takes 1.68 MiB
 * per data and 50-160 ms to build; a scope with a set on holds 252 decision
 * pointers and its 128 KiB of /20 bits.
 *
 * A policy compiled without data, or decided with other data than it was
 * compiled with (a reload in progress), decides the same through countryAt
 * and the set's codes, as fast but for a Set and a Map lookup.
 *
 * A user's .mmdb (SIPWARDEN_GEOIP_DB) is walked once at load into the same
 * CountryTable (src/geo/mmdb-countries.ts), index included, so it decides as
 * fast as the shipped data, instead of a tree walk through mmdb-lib per lookup.
 */
import { COUNTRY_INTERVALS_PER_BUCKET, type RangeTable, buildRangeTableOfRanges, ownerOfIpv6 } from './range-table.js';
import { type Ipv4CountryIndex, buildIpv4CountryIndex, ownerOfIpv4Indexed } from './ipv4-country-index.js';
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

/** A country database compiled into two range tables (owner = index into codes), with a direct index of the IPv4 one. */
export class CountryTable implements CountryLookup {
  private constructor(
    readonly codes: readonly string[],
    readonly ipv4: RangeTable,
    readonly ipv6: RangeTable,
    /** Where the data came from and how old it is, for logs and `check`. */
    readonly source: string,
    /** Built with the tables, before the data is handed to anyone: no lookup sees it half-built. */
    readonly ipv4Index: Ipv4CountryIndex,
  ) {}

  /** Collects ranges with `fill(ipv4, ipv6)`, then compiles them. */
  static build(source: string, fill: (ipv4: CountryRanges, ipv6: CountryRanges) => void): CountryTable {
    const index = new Map<string, number>();
    const codes: string[] = [];
    const v4 = new CountryRanges(1, index, codes);
    const v6 = new CountryRanges(4, index, codes);
    fill(v4, v6);
    const ipv4 = v4.table();
    return new CountryTable(codes, ipv4, v6.table(), source, buildIpv4CountryIndex(ipv4, codes.length));
  }

  countryAt(family: Family, words: Uint32Array): string | undefined {
    const owner = this.ownerAt(family, words);
    return owner < 0 ? undefined : this.codes[owner];
  }

  /** The index into codes of the address's country, or -1: IPv4 through the direct index, IPv6 by a search. */
  ownerAt(family: Family, words: Uint32Array): number {
    return family === 4 ? ownerOfIpv4Indexed(this.ipv4Index, this.ipv4, words[0]!) : ownerOfIpv6(this.ipv6, words);
  }
}
