/**
 * A user's own country database (SIPWARDEN_GEOIP_DB): a MaxMind GeoLite2 /
 * GeoIP2 Country or City, or a DB-IP Country (lite) .mmdb, read with
 * mmdb-lib and walked once, at load, into a CountryTable: each leaf of the
 * search tree is an address range with its record, whose
 * `country.iso_code` (else `registered_country.iso_code`) is the country.
 * So a user's data gets the same IPv4 index and decides as fast as the
 * shipped data (policy/country.ts), where a tree walk through mmdb-lib per
 * lookup would be a second, slower search on every decision it reaches.
 * The walk costs the load (and a reload) time instead, once.
 *
 * IPv4 is read from the IPv4 subtree (under ::/96), as mmdb-lib reads an
 * IPv4 address; IPv6 from the whole tree but ::ffff:0:0/96, since IPv4-mapped
 * sources are decided as IPv4.
 */
import { readFileSync } from 'node:fs';
import { type CountryResponse, Reader } from 'mmdb-lib';
import { COUNTRY_CODES, type CountryRanges, CountryTable, type Family, formatAddress } from '../policy/index.js';

/** Reads `path`; throws, naming the file and why, when it is not a readable country .mmdb. */
export function readMmdbCountries(path: string): CountryTable {
  let reader: Reader<CountryResponse>;
  let db: Buffer;
  try {
    db = readFileSync(path);
    reader = new Reader<CountryResponse>(db);
  } catch (err) {
    throw new Error(`SIPWARDEN_GEOIP_DB ${path}: not a readable .mmdb: ${(err as Error).message}`);
  }
  const { databaseType, buildEpoch } = reader.metadata;
  const source = `${path} (${databaseType}, built ${buildEpoch.toISOString().slice(0, 10)})`;
  let ranges = 0;
  let table: CountryTable;
  try {
    table = CountryTable.build(source, (v4, v6) => {
      ranges = new TreeWalk(db, reader).fill(v4, v6);
    });
  } catch (err) {
    throw new Error(`SIPWARDEN_GEOIP_DB ${path}: a damaged .mmdb search tree: ${(err as Error).message}`);
  }
  if (ranges === 0) throw new Error(`SIPWARDEN_GEOIP_DB ${path}: no address in it has a country (database type ${databaseType})`);
  return table;
}

/** One depth-first walk of the search tree, left (0) before right (1): ranges come out in ascending order. */
class TreeWalk {
  private readonly nodeCount: number;
  private readonly readRecord: (node: number, right: boolean) => number;
  /** Country by data pointer: a Country database has a few hundred records, decoded once each. */
  private readonly codes = new Map<number, string | undefined>();
  private readonly prefix = new Uint32Array(4);
  private readonly end = new Uint32Array(4);
  private added = 0;

  constructor(
    db: Buffer,
    private readonly reader: Reader<CountryResponse>,
  ) {
    const { nodeCount, recordSize, searchTreeSize } = reader.metadata;
    if (searchTreeSize > db.length) throw new Error(`the search tree (${searchTreeSize} bytes) runs past the file (${db.length} bytes)`);
    this.nodeCount = nodeCount;
    this.readRecord = recordReader(db, recordSize);
  }

  /** Fills both families; returns how many ranges had a country. */
  fill(v4: CountryRanges, v6: CountryRanges): number {
    if (this.reader.metadata.ipVersion === 4) {
      this.visit(0, 0, 32, v4, 4);
      return this.added;
    }
    let ipv4Root = 0;
    for (let depth = 0; depth < 96 && ipv4Root < this.nodeCount; depth++) ipv4Root = this.readRecord(ipv4Root, false);
    this.visit(ipv4Root, 0, 32, v4, 4);
    this.visit(0, 0, 128, v6, 6);
    return this.added;
  }

  /** The subtree of `record` at `depth` bits of `bits`, the bits so far in `prefix`. */
  private visit(record: number, depth: number, bits: number, out: CountryRanges, family: Family): void {
    if (record > this.nodeCount) return this.leaf(record, depth, bits, out, family);
    if (record === this.nodeCount || depth === bits) return; // no data, or a tree deeper than the address
    if (family === 6 && depth === 96 && this.isIpv4MappedPrefix()) return;
    const word = depth >>> 5;
    const bit = 1 << (31 - (depth & 31));
    this.visit(this.readRecord(record, false), depth + 1, bits, out, family);
    this.prefix[word] = (this.prefix[word]! | bit) >>> 0;
    this.visit(this.readRecord(record, true), depth + 1, bits, out, family);
    this.prefix[word] = (this.prefix[word]! & ~bit) >>> 0;
  }

  private leaf(pointer: number, depth: number, bits: number, out: CountryRanges, family: Family): void {
    let code = this.codes.get(pointer);
    if (!this.codes.has(pointer)) {
      code = countryOf(this.reader.get(formatAddress(family, this.prefix, 0)));
      this.codes.set(pointer, code);
    }
    if (code === undefined) return;
    for (let w = 0; w < bits >>> 5; w++) {
      const kept = Math.min(32, Math.max(0, depth - 32 * w));
      this.end[w] = (this.prefix[w]! | (kept === 32 ? 0 : 0xffffffff >>> kept)) >>> 0;
    }
    out.add(this.prefix, 0, this.end, 0, code);
    this.added++;
  }

  /** True at depth 96 of the path ::ffff:0:0/96. */
  private isIpv4MappedPrefix(): boolean {
    return this.prefix[0] === 0 && this.prefix[1] === 0 && this.prefix[2] === 0xffff;
  }
}

function countryOf(record: CountryResponse | null): string | undefined {
  const code = (record?.country?.iso_code ?? record?.registered_country?.iso_code)?.toUpperCase();
  return code !== undefined && COUNTRY_CODES.has(code) ? code : undefined;
}

/** The left or right record of a node, for the format's 24-, 28- and 32-bit records. */
function recordReader(db: Buffer, recordSize: number): (node: number, right: boolean) => number {
  switch (recordSize) {
    case 24:
      return (node, right) => db.readUIntBE(node * 6 + (right ? 3 : 0), 3);
    case 28:
      return (node, right) => {
        const at = node * 7;
        const high = right ? db[at + 3]! & 0x0f : db[at + 3]! >>> 4;
        return high * 0x1000000 + db.readUIntBE(at + (right ? 4 : 0), 3);
      };
    case 32:
      return (node, right) => db.readUInt32BE(node * 8 + (right ? 4 : 0));
    default:
      throw new Error(`unsupported record size ${recordSize}`);
  }
}
